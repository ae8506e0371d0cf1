import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_EXTENSION, rankingFormatOf, type MethodName, type Request } from '../contract';
import { ResidualError } from '../core/errors';
import { isResidualCsv, isResidualOnnx, isResidualParquet, isResidualReport } from '../core/export/owned';

/**
 * The one rule for every path that crosses the contract from a page (browser mode's or Electron's renderer), checked
 * in main before the request reaches the engine:
 * - data.preview / data.import read only a file the user handed over: an upload (browser mode), a file picked or
 *   dropped in the window (Electron), or a file under a data folder named when the server started (`--data-dir`);
 *   an image import's IDX labels file (`options.labels`) likewise;
 * - report.export and score.export write what Residual makes, a report (`.pdf`) or a ranking (`.csv` or `.parquet`),
 *   under one rule: only that extension, only where its folder exists (in browser mode only inside the reports
 *   folder), and never over a file that is not one Residual wrote of that kind;
 * - in browser mode a page downloads (GET /api/download) only such a file, and only from inside the reports folder;
 * - project.open opens or creates only `.residual` files, creates only in an existing folder, and (in the store) opens
 *   only an empty new file or a Residual project of a known schema, before anything is written to it; in browser mode
 *   (`projects`) only directly inside one of the project folders (Residual's projects folder, the folder of the project
 *   the server was started with) or a project on the recent list.
 * Requests that break it are refused with FORBIDDEN and a message naming the path and the rule.
 */
export interface FilePolicy {
  /** A file the user handed over (picked, dropped, uploaded): preview and import may read it from now on. */
  grant(file: string): void;
  /** Throws FORBIDDEN when the request names a path the page may not reach. */
  check(method: MethodName, request: unknown): void;
  /** The real path of a file a page may download (a report or a ranking CSV in the reports folder); FORBIDDEN otherwise. */
  checkDownload(file: string): string;
}

export interface FilePolicyOptions {
  /** Folders whose files (at any depth) preview and import may read: the uploads folder, `--data-dir`s. */
  readonly readRoots?: readonly string[];
  /** Where reports go; with `reportsOnlyThere`, the only folder report.export may write into. */
  readonly reportsDir?: string;
  readonly reportsOnlyThere?: boolean;
  /**
   * Browser mode: where project.open may open or create a project — a `.residual` file directly inside one of `roots`,
   * or one of the `recent` projects (read at each call).
   */
  readonly projects?: { readonly roots: readonly string[]; readonly recent: () => readonly string[] };
}

const forbidden = (message: string, field: string, file: string): ResidualError => new ResidualError('FORBIDDEN', message, { field, file });

/** The real path (symbolic links resolved) of a file or, when it does not exist, of its folder plus its name. */
function realPath(file: string): string {
  const abs = path.resolve(file);
  try {
    return fs.realpathSync(abs);
  } catch {
    try {
      return path.join(fs.realpathSync(path.dirname(abs)), path.basename(abs));
    } catch {
      return abs;
    }
  }
}

function inside(file: string, root: string): boolean {
  const r = realPath(root);
  return file === r || file.startsWith(r.endsWith(path.sep) ? r : r + path.sep);
}

/** What Residual writes for a page, each kind with its extension and how a file of that kind is recognised. */
const OUTPUTS = {
  report: { ext: '.pdf', what: 'A report is a PDF', noun: 'a Residual report', isOurs: isResidualReport },
  csv: { ext: '.csv', what: 'An export is a CSV file', noun: 'a CSV that Residual exported', isOurs: isResidualCsv },
  parquet: { ext: '.parquet', what: 'A Parquet export is a .parquet file', noun: 'a Parquet file that Residual exported', isOurs: isResidualParquet },
  onnx: { ext: '.onnx', what: 'A model export is an .onnx file', noun: 'an ONNX model that Residual exported', isOurs: isResidualOnnx },
} as const;

export function createFilePolicy(options: FilePolicyOptions = {}): FilePolicy {
  const granted = new Set<string>();
  const readRoots = options.readRoots ?? [];

  function checkReadable(file: string): void {
    const real = realPath(file);
    if (granted.has(real) || readRoots.some((root) => inside(real, root))) return;
    throw forbidden(
      `Residual may only read files you hand it: ${file} was not uploaded, picked or dropped here. Choose the file with Import (or drop it on the window).`,
      'file',
      file,
    );
  }

  /** The one rule for files Residual writes for a page (reports and CSV exports). */
  function checkOutput(out: string, kind: keyof typeof OUTPUTS): void {
    const o = OUTPUTS[kind];
    const real = realPath(out);
    if (path.extname(real).toLowerCase() !== o.ext) throw forbidden(`${o.what}: ${out} must end in ${o.ext}.`, 'out', out);
    if (options.reportsOnlyThere && options.reportsDir && !inside(real, options.reportsDir)) {
      throw forbidden(`Reports and exports are written to the reports folder ${options.reportsDir}; ${out} is outside it. Leave the file name out to use it.`, 'out', out);
    }
    if (!fs.existsSync(path.dirname(real))) throw forbidden(`The folder of ${out} does not exist. Choose an existing folder.`, 'out', out);
    if (fs.existsSync(real) && !o.isOurs(real)) {
      throw forbidden(`${out} exists and is not ${o.noun}: it is not overwritten. Choose another file name.`, 'out', out);
    }
  }

  function checkDownload(file: string): string {
    const real = realPath(file);
    const reportsDir = options.reportsDir;
    if (!reportsDir || !inside(real, reportsDir) || real === realPath(reportsDir)) {
      throw forbidden(`Only files in the reports folder can be downloaded; ${file} is not in it.`, 'file', file);
    }
    const kind = Object.values(OUTPUTS).find((o) => path.extname(real).toLowerCase() === o.ext);
    if (!kind || !fs.existsSync(real) || !fs.statSync(real).isFile() || !kind.isOurs(real)) {
      throw forbidden(`${file} is not a report or an export that Residual wrote, so it is not served.`, 'file', file);
    }
    return real;
  }

  function checkProject(file: string, create: boolean): void {
    if (path.extname(file).toLowerCase() !== PROJECT_EXTENSION) {
      throw forbidden(`A project is a ${PROJECT_EXTENSION} file: ${file} is not. Name a ${PROJECT_EXTENSION} file.`, 'path', file);
    }
    if (create && !fs.existsSync(path.dirname(path.resolve(file)))) {
      throw forbidden(`The folder of ${file} does not exist: a new project goes into an existing folder.`, 'path', file);
    }
    const projects = options.projects;
    if (projects) {
      const real = realPath(file);
      const inRoot = projects.roots.some((root) => path.dirname(real) === realPath(root));
      if (!inRoot && !projects.recent().some((p) => realPath(p) === real)) {
        throw forbidden(
          `In browser mode a project is opened or created only in Residual's projects folder (${projects.roots[0] ?? 'none'})${projects.roots.length > 1 ? ` or in ${projects.roots.slice(1).join(', ')}` : ''}, or from the recent projects; ${file} is not. Create it by name under Projects.`,
          'path',
          file,
        );
      }
    }
  }

  return {
    grant(file) {
      if (file) granted.add(realPath(file));
    },
    checkDownload,
    check(method, request) {
      if (method === 'data.preview' || method === 'data.import') {
        const r = request as Request<'data.preview'>;
        checkReadable(r.file);
        // An IDX labels file is read too: the same rule.
        if (r.options?.labels !== undefined) checkReadable(r.options.labels);
      } else if (method === 'report.export') {
        const out = (request as Request<'report.export'>).out;
        if (out !== undefined) checkOutput(out, 'report');
      } else if (method === 'score.export') {
        const r = request as Request<'score.export'>;
        if (r.out !== undefined) checkOutput(r.out, rankingFormatOf(r.format, r.out));
      } else if (method === 'model.exportOnnx') {
        const out = (request as Request<'model.exportOnnx'>).out;
        if (out !== undefined) checkOutput(out, 'onnx');
      } else if (method === 'project.open') {
        const r = request as Request<'project.open'>;
        checkProject(r.path, r.create ?? false);
      }
    },
  };
}
