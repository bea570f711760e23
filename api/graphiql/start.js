// Starts GraphiQL on the page's own /graphql (HTTP and graphql-transport-ws). The token
// goes in the Headers tab, which opens first; GraphiQL also sends those headers as the
// websocket's connection_init payload, so subscriptions authenticate the same way.
const WELCOME = `# Introductions: GraphiQL
#
# 1. Put a token in the Headers tab below, in place of PASTE-A-TOKEN-HERE:
#      {"Authorization": "Bearer itk_..."}
#    The admin token is in the file \`introductions serve\` printed at start (or
#    INTRODUCTIONS_ADMIN_TOKEN); the admin gives a person theirs with issueToken.
# 2. Run a query with Ctrl-Enter (or the play button). Ctrl-Space completes.
#
# Without a valid token every operation but \`health\` answers UNAUTHENTICATED.

query Me {
  me { id displayName organization }
  people(first: 5) { edges { node { id displayName organization } } totalCount }
}
`;
const HEADERS = `{
  "Authorization": "Bearer PASTE-A-TOKEN-HERE"
}`;

const url = window.location.href.split(/[?#]/)[0];
const subscriptionUrl = url.replace(/^http/, "ws");
const fetcher = GraphiQL.createFetcher({ url, subscriptionUrl });

function App() {
  return React.createElement(GraphiQL, {
    fetcher,
    defaultQuery: WELCOME,
    defaultHeaders: HEADERS,
    defaultEditorToolsVisibility: "headers",
    isHeadersEditorEnabled: true,
    // A token stays in this tab's memory, never in localStorage.
    shouldPersistHeaders: false,
    plugins: [GraphiQLPluginExplorer.explorerPlugin()],
    inputValueDeprecation: true,
  });
}

ReactDOM.createRoot(document.getElementById("graphiql")).render(React.createElement(App));
