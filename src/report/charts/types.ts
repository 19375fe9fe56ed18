/**
 * What a chart builder returns.
 * @module
 */

/** A rendered chart and the words that go with it in the report. */
export interface ChartFile {
  /** File name inside the report folder, e.g. `train_loss.png`. */
  file: string;
  title: string;
  /** One or two sentences for the report: what is drawn and how to read it. */
  caption: string;
  png: Uint8Array;
}
