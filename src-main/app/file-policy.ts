import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_EXTENSION, type MethodName, type Request } from '../contract';
import { ResidualError } from '../core/errors';

/**
 * The one rule for every path that crosses the contract from a page (browser mode's or Electron's renderer), checked
 * in main before the request reaches the engine:
 * - data.preview / data.import read only a file the user handed over: an upload (browser mode), a file picked or
 *   dropped in the window (Electron), or a file under a data folder named when the server started (`--data-dir`);
 * - report.export writes only a `.pdf`, only where its folder exists (in browser mode only inside the reports
 *   folder), and never over a file that is not a Residual report;
 * - project.open opens or creates only `.residual` files, creates only in an existing folder, and (in the store) opens
 *   only an empty new file or a Residual project of a known schema, before anything is written to it.
 * Requests that break it are refused with FORBIDDEN and a message naming the path and the rule.
 */
export interface FilePolicy {
  /** A file the user handed over (picked, dropped, uploaded): preview and import may read it from now on. */
  grant(file: string): void;
  /** Throws FORBIDDEN when the request names a path the page may not reach. */
  check(method: MethodName, request: unknown): void;
}

export interface FilePolicyOptions {
  /** Folders whose files (at any depth) preview and import may read: the uploads folder, `--data-dir`s. */
  readonly readRoots?: readonly string[];
  /** Where reports go; with `reportsOnlyThere`, the only folder report.export may write into. */
  readonly reportsDir?: string;
  readonly reportsOnlyThere?: boolean;
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

/** A PDF that Residual wrote: the header, and the Creator "Residual x.y.z" in the document info near the end. */
export function isResidualReport(file: string): boolean {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(5);
    fs.readSync(fd, head, 0, 5, 0);
    if (head.toString('latin1') !== '%PDF-') return false;
    const n = Math.min(size, 65_536);
    const tail = Buffer.alloc(n);
    fs.readSync(fd, tail, 0, n, size - n);
    return tail.includes('(Residual ');
  } catch {
    return false;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

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

  function checkReport(out: string): void {
    const real = realPath(out);
    if (path.extname(real).toLowerCase() !== '.pdf') throw forbidden(`A report is a PDF: ${out} must end in .pdf.`, 'out', out);
    if (options.reportsOnlyThere && options.reportsDir && !inside(real, options.reportsDir)) {
      throw forbidden(`Reports are written to the reports folder ${options.reportsDir}; ${out} is outside it. Leave the file name out to use it.`, 'out', out);
    }
    if (!fs.existsSync(path.dirname(real))) throw forbidden(`The folder of ${out} does not exist. Choose an existing folder.`, 'out', out);
    if (fs.existsSync(real) && !isResidualReport(real)) {
      throw forbidden(`${out} exists and is not a Residual report: it is not overwritten. Choose another file name.`, 'out', out);
    }
  }

  function checkProject(file: string, create: boolean): void {
    if (path.extname(file).toLowerCase() !== PROJECT_EXTENSION) {
      throw forbidden(`A project is a ${PROJECT_EXTENSION} file: ${file} is not. Name a ${PROJECT_EXTENSION} file.`, 'path', file);
    }
    if (create && !fs.existsSync(path.dirname(path.resolve(file)))) {
      throw forbidden(`The folder of ${file} does not exist: a new project goes into an existing folder.`, 'path', file);
    }
  }

  return {
    grant(file) {
      if (file) granted.add(realPath(file));
    },
    check(method, request) {
      if (method === 'data.preview' || method === 'data.import') checkReadable((request as Request<'data.preview'>).file);
      else if (method === 'report.export') {
        const out = (request as Request<'report.export'>).out;
        if (out !== undefined) checkReport(out);
      } else if (method === 'project.open') {
        const r = request as Request<'project.open'>;
        checkProject(r.path, r.create ?? false);
      }
    },
  };
}
