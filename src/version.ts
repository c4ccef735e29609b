/** Versions runts reports. */
export const RUNTS_VERSION = "0.1.0";
/** The runtime-spec version runts implements (state, features, spec). */
export const OCI_VERSION = "1.2.0";
/** What `runts --version` prints after "runts version " (and `runts --help` under VERSION). */
export const VERSION_TEXT = `${RUNTS_VERSION}\nspec: ${OCI_VERSION}`;
