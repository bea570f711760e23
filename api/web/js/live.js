// Live events from the `introductionEvents` subscription over graphql-ws (the
// graphql-transport-ws protocol), authenticated in connection_init like any client.
import { createClient } from "../vendor/graphql-ws-6.4.2/client.js";
import { session } from "./api.js";

const EVENTS = `subscription { introductionEvents {
  id introductionId version type occurredAt actorId data
} }`;

let client = null;
let unsubscribe = null;
const listeners = new Set();

export function onLiveEvent(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function startLive(onState) {
  stopLive();
  const url = new URL("/graphql", window.location.href);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  client = createClient({
    url: url.href,
    connectionParams: () => ({ authorization: `Bearer ${session.token()}` }),
    lazy: false,
    retryAttempts: 1000,
    shouldRetry: () => true,
    on: {
      connected: () => onState("live"),
      closed: () => onState("offline"),
      connecting: () => onState("connecting"),
    },
  });
  unsubscribe = client.subscribe(
    { query: EVENTS },
    {
      next: ({ data }) => data && listeners.forEach((listener) => listener(data.introductionEvents)),
      error: () => onState("offline"),
      complete: () => onState("offline"),
    },
  );
}

export function stopLive() {
  unsubscribe?.();
  client?.dispose();
  client = null;
  unsubscribe = null;
}
