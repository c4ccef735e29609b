/**
 * Errors are values with context. Every failure that reaches the user is a
 * RuntsError: a message plus where it happened (container, step, path, errno),
 * rendered as one line for the engine that called us.
 */
export interface ErrorContext {
  /** Container id the operation was working on. */
  container?: string;
  /** Lifecycle or plan step, e.g. "mount", "pivot_root", "cgroup join". */
  step?: string;
  /** Path involved, host or container side. */
  path?: string;
  /** errno text, e.g. "No such file or directory". */
  errno?: string;
}

export class RuntsError extends Error {
  readonly context: ErrorContext;
  /** Process exit code the CLI uses when this error ends the command. */
  readonly exitCode: number;

  constructor(message: string, context: ErrorContext = {}, exitCode = 1) {
    super(message);
    this.name = "RuntsError";
    this.context = context;
    this.exitCode = exitCode;
  }

  /** One line: "step path: message: errno" with only the parts that are known. */
  toLine(): string {
    const { step, path, errno } = this.context;
    const where = [step, path].filter((s): s is string => Boolean(s)).join(" ");
    let line = where ? `${where}: ${this.message}` : this.message;
    if (errno && !line.includes(errno)) line += `: ${errno}`;
    return line;
  }
}

/** Turn anything thrown into a one-line message. */
export function errorLine(err: unknown): string {
  if (err instanceof RuntsError) return err.toLine();
  if (err instanceof Error) return err.message;
  return String(err);
}

/** Wrap a Node fs error (code + syscall + path) into a RuntsError with context. */
export function fromNodeError(err: unknown, step: string, context: ErrorContext = {}): RuntsError {
  if (err instanceof RuntsError) return err;
  const e = err as NodeJS.ErrnoException;
  const errno = e && typeof e.code === "string" ? errnoText(e.code) : undefined;
  const msg = e && typeof e.message === "string" ? e.message.replace(/^[A-Z]+: /, "") : String(err);
  return new RuntsError(errno ? `${e.syscall ?? "operation"} failed` : msg, {
    step,
    path: context.path ?? e?.path,
    errno: errno ?? context.errno,
    ...(context.container ? { container: context.container } : {}),
  });
}

const ERRNO_TEXT: Record<string, string> = {
  ENOENT: "no such file or directory",
  EEXIST: "file exists",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  ENOTDIR: "not a directory",
  EISDIR: "is a directory",
  EBUSY: "device or resource busy",
  EINVAL: "invalid argument",
  ESRCH: "no such process",
  ELOOP: "too many levels of symbolic links",
  EXDEV: "invalid cross-device link",
  ENOSPC: "no space left on device",
  EROFS: "read-only file system",
  EAGAIN: "resource temporarily unavailable",
  ENOTEMPTY: "directory not empty",
  EBADF: "bad file descriptor",
  ENXIO: "no such device or address",
  ENODEV: "no such device",
  E2BIG: "argument list too long",
  ENAMETOOLONG: "file name too long",
  ETIMEDOUT: "connection timed out",
  ECONNREFUSED: "connection refused",
  ENOSYS: "function not implemented",
  EOPNOTSUPP: "operation not supported",
  ENOEXEC: "exec format error",
};

export function errnoText(code: string): string {
  return ERRNO_TEXT[code] ?? code;
}
