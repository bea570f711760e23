// The public GraphQL API over HTTP, exactly as any third-party client calls it.
const TOKEN_KEY = "introductions.token";

export const session = {
  token: () => sessionStorage.getItem(TOKEN_KEY),
  remember: (token) => sessionStorage.setItem(TOKEN_KEY, token),
  forget: () => sessionStorage.removeItem(TOKEN_KEY),
};

export class ApiError extends Error {
  constructor(message, code) {
    super(message);
    this.code = code;
  }
}

// `signal` (an AbortSignal) cancels a request whose answer is no longer wanted.
export async function gql(query, variables = {}, { signal } = {}) {
  let response;
  try {
    response = await fetch("/graphql", {
      method: "POST",
      signal,
      headers: {
        "content-type": "application/json",
        accept: "application/json",
        authorization: `Bearer ${session.token() ?? ""}`,
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new ApiError("The service cannot be reached. Check the connection and try again.", "NETWORK");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const error = body?.errors?.[0];
  if (error) {
    const code = error.extensions?.code;
    if (code === "UNAUTHENTICATED") window.dispatchEvent(new CustomEvent("unauthenticated"));
    throw new ApiError(error.message, code);
  }
  if (!response.ok || !body?.data) {
    throw new ApiError(`The service answered ${response.status} ${response.statusText}.`.trim(), "HTTP");
  }
  return body.data;
}

// What a payload's error codes mean, said to a person.
const CODE_WORDS = {
  BAD_USER_INPUT: "Please check what you entered",
  NOT_FOUND: "Not found, or not visible to you",
  INVALID_TRANSITION: "Not possible at this step",
  CONCURRENCY_CONFLICT: "Someone changed this a moment ago; it has been reloaded, please try again",
  FORBIDDEN: "Your role does not allow this",
};

export function errorInWords(error) {
  const words = CODE_WORDS[error.code];
  return words ? `${words}: ${error.message}` : error.message;
}
