/** A small JSON client for the API under test (Node's fetch). */
export class Api {
  constructor(
    private readonly baseUrl: string,
    private token?: string,
  ) {}

  async login(username: string, password: string): Promise<Api> {
    const res = await this.post('/auth/login', { username, password });
    if (res.status !== 200) throw new Error(`login ${username} failed: ${res.status} ${JSON.stringify(res.body)}`);
    return new Api(this.baseUrl, (res.body as { accessToken: string }).accessToken);
  }

  /** The raw response, for non-JSON bodies and headers. */
  raw(path: string, init: RequestInit = {}): Promise<Response> {
    return fetch(`${this.baseUrl}${path}`, { ...init, headers: { ...(this.token ? { authorization: `Bearer ${this.token}` } : {}), ...init.headers } });
  }

  get(path: string) {
    return this.request('GET', path);
  }

  patch(path: string, body?: unknown) {
    return this.request('PATCH', path, body);
  }

  post(path: string, body?: unknown) {
    return this.request('POST', path, body);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  async request(method: string, path: string, body?: unknown): Promise<{ status: number; body: any }> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  }
}
