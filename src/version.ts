/** Versions runts reports. */
export const RUNTS_VERSION = "0.1.0";
/** The runtime-spec version runts implements (state, features, spec). */
export const OCI_VERSION = "1.2.0";
