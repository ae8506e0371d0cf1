/**
 * The name a file from the server's reports folder is downloaded under in browser mode: the last part of its path
 * (as the bridge's Content-Disposition names it). The page says this name, not the server's path, after a download.
 */
export function downloadName(file: string): string {
  return file.split(/[\\/]/).pop() || 'download';
}
