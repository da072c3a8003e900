/** Why a document could not be turned into posts. */
export type ParseErrorCode =
  /** The document is neither RSS nor Atom. */
  | 'not_a_feed'
  /** A required CSS selector matched nothing: the source's layout changed, it is not an empty post. */
  | 'selector_not_found'
  /** A JSON source's field path (list path or item field) is missing in the response. */
  | 'field_not_found'
  /** The response of a JSON source is not JSON. */
  | 'not_json';

/** A document that cannot be parsed with the source's configuration. Not retryable: the same bytes fail again. */
export class ParseError extends Error {
  constructor(
    readonly code: ParseErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ParseError';
  }
}
