/** A folder of images the analyst chose with the folder picker: the PNG and JPEG files in it, at any depth. */
export interface ImageFolder {
  /** The folder's own name (the first part of each file's webkitRelativePath). */
  readonly name: string;
  /** Its PNG and JPEG files, each with its webkitRelativePath (`name/sub/a.png`). */
  readonly files: readonly File[];
  /** Its other files, left out (the import would leave them out too, with a warning). */
  readonly skipped: number;
  /** The PNG and JPEG files' bytes together. */
  readonly bytes: number;
}

const IMAGE_FILE = /\.(png|jpe?g)$/i;

/** The folder behind a folder picker's files, or null when it gave none. */
export function imageFolder(list: ArrayLike<File>): ImageFolder | null {
  const all = Array.from(list);
  const first = all[0];
  if (!first) return null;
  const files = all.filter((f) => IMAGE_FILE.test(f.name));
  return {
    name: (first.webkitRelativePath || first.name).split('/')[0] ?? first.name,
    files,
    skipped: all.length - files.length,
    bytes: files.reduce((n, f) => n + f.size, 0),
  };
}
