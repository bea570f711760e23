// Runs graphql-http's serverAudits (the GraphQL-over-HTTP spec's MUST, SHOULD and MAY)
// against URL, with `Authorization: Bearer $AUDIT_TOKEN` on every request; prints one
// JSON line per audit: {id, name, status: "ok" | "warn" | "error", reason}.
import { serverAudits } from "graphql-http";

const [url] = process.argv.slice(2);
const token = process.env.AUDIT_TOKEN;
const fetchFn = (input, init = {}) => {
  const headers = new Headers(init.headers);
  if (token) headers.set("authorization", `Bearer ${token}`);
  return fetch(input, { ...init, headers });
};

for (const audit of serverAudits({ url, fetchFn })) {
  const result = await audit.fn();
  const line = { id: audit.id, name: audit.name, status: result.status };
  if (result.status !== "ok") line.reason = result.reason;
  console.log(JSON.stringify(line));
}
