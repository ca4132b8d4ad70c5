/** A part of the app with work at start or stop (either may be async); a start that answers false ends the start. */
export interface Component {
  start?(): unknown;
  stop?(): unknown;
}
