const FS_REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'it is a directory',
  ELOOP: 'too many symbolic links',
  ENOTDIR: 'a part of the path is not a directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
};

/** "no such file" rather than "ENOENT: no such file or directory, open '…'" (the path is named by the caller). */
export function fsReason(e: unknown): string {
  const code = (e as NodeJS.ErrnoException).code;
  return (code && FS_REASONS[code]) ?? code ?? (e instanceof Error ? e.message : String(e));
}
