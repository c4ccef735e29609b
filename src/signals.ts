/**
 * Linux signal numbers by name, without node:os (whose module set-up costs a
 * cold start ~0.3 ms). The names are those golang.org/x/sys/unix.SignalNum
 * knows (no SIGIOT/SIGPOLL/SIGCLD aliases, no RT signals), in the order of
 * their numbers 1..31, the same on x86_64 and arm64; a unit test compares
 * them with os.constants.signals.
 */
export const SIGNAL_NAMES: readonly string[] = [
  "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1",
  "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT", "SIGSTOP",
  "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU", "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH",
  "SIGIO", "SIGPWR", "SIGSYS",
];

/** The number of a signal named like "SIGTERM", or undefined. */
export function signalNumber(name: string): number | undefined {
  const index = SIGNAL_NAMES.indexOf(name);
  return index < 0 ? undefined : index + 1;
}

export const SIGKILL = 9;
