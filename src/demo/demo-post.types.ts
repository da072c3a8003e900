/** A post the demo forum publishes. All demo text is written by the project (never copied from eval data). */
export interface DemoPost {
  title: string;
  body: string;
  author: string;
  /** Forum board the post goes to: the HTML-crawled board or the RSS-crawled one. */
  board: 'neighbourhood' | 'hotline';
  /** What the post is about; 'chatter' must never raise a case. Used by tests and the demo's own checks. */
  topic:
    | 'property-fee'
    | 'noise'
    | 'illegal-building'
    | 'parking'
    | 'garbage'
    | 'demolition'
    | 'unpaid-wages'
    | 'chatter';
}
