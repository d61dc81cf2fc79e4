#!/usr/bin/env bash
# docs/flow.md's walk-through as a script: run `npm start` in one terminal, then this in another.
# It prints each request and the server's answer.
#
#   ISSUER              the server (default http://localhost:8787, `npm start`'s)
#   DEMO_SERVER_SECRET  secret of the static client `server`      } default: the values `npm start`
#   DEMO_USER_PASSWORD  password of the user DEMO_USER (demo)     } wrote to .dev.vars
#   TEMPLATE            the template to register an instance of (default template-client)
set -euo pipefail
cd "$(dirname "$0")/.."

ISSUER="${ISSUER:-http://localhost:8787}"
TEMPLATE="${TEMPLATE:-template-client}"
DEMO_USER="${DEMO_USER:-demo}"
REDIRECT_URI='https://localhost/callback'

# A setting from the environment, else from the .dev.vars that `npm start` wrote.
setting() {
  local value="${!1:-}"
  [[ -n "$value" ]] || value="$(sed -n "s/^$1=['\"]\{0,1\}\([^'\"]*\)['\"]\{0,1\}$/\1/p" .dev.vars 2>/dev/null || true)"
  [[ -n "$value" ]] || { echo "$1 is not set and not in .dev.vars: run \`npm start\` first." >&2; exit 1; }
  printf '%s' "$value"
}
DEMO_SERVER_SECRET="$(setting DEMO_SERVER_SECRET)"
DEMO_USER_PASSWORD="$(setting DEMO_USER_PASSWORD)"

# JSON and URL helpers in Node (which `npm start` needs anyway), so nothing else has to be installed.
node_stdin() { node -e "let s = ''; process.stdin.on('data', (d) => (s += d)).on('end', () => console.log($1))" "${@:2}"; }
pretty() { node_stdin 'JSON.stringify(JSON.parse(s), null, 2)'; }
field() { node_stdin 'JSON.parse(s)[process.argv[1]]' "$1"; }
jwt_payload() { node_stdin 'JSON.stringify(JSON.parse(Buffer.from(s.split(".")[1], "base64url")), null, 2)'; }
query_param() { node -e 'console.log(new URL(process.argv[1]).searchParams.get(process.argv[2]) ?? "")' "$1" "$2"; }
random() { node -e 'console.log(require("crypto").randomBytes(16).toString("base64url"))'; }
# PKCE (RFC 7636, S256): a verifier, and the challenge the authorization request carries.
pkce_verifier() { node -e 'console.log(require("crypto").randomBytes(32).toString("base64url"))'; }
pkce_challenge() { node -e 'console.log(require("crypto").createHash("sha256").update(process.argv[1]).digest("base64url"))' "$1"; }

# An argument as a reader would type it: bare when safe, else in single quotes.
shell_quoted() {
  if [[ "$1" =~ ^[A-Za-z0-9_./:=@%+-]+$ ]]; then printf '%s' "$1"; else printf "'%s'" "${1//\'/\'\\\'\'}"; fi
}
step() { printf '\n\033[1m== %s\033[0m\n' "$1"; }
# Shows the command on stderr (secrets included: this is a local tutorial), runs it, and stops on an HTTP error
# after printing its body.
call() {
  { printf '$ curl'; for arg in "$@"; do printf ' %s' "$(shell_quoted "$arg")"; done; printf '\n'; } >&2
  local answer
  if ! answer="$(curl -sS --fail-with-body "$@")"; then
    printf '%s\n' "$answer" >&2
    return 1
  fi
  printf '%s' "$answer"
}

step "Step 2: the static client 'server' gets a one-time initial access token (IAT)"
IAT_ANSWER="$(call -X POST "$ISSUER/oauth/v2/oauth-token" \
  -H 'Content-Type: application/x-www-form-urlencoded' \
  -d "grant_type=client_credentials&client_id=server&client_secret=$DEMO_SERVER_SECRET&scope=dcr")"
pretty <<<"$IAT_ANSWER"
IAT="$(field access_token <<<"$IAT_ANSWER")"

step "Step 3: 'server' registers an instance of $TEMPLATE with the IAT"
INSTANCE="$(call -X POST "$ISSUER/oauth/v2/oauth-dynamic-client-registration" \
  -H "Authorization: Bearer $IAT" -H 'Content-Type: application/json' \
  -d "{\"software_id\": \"$TEMPLATE\"}")"
pretty <<<"$INSTANCE"
CLIENT_ID="$(field client_id <<<"$INSTANCE")"
CLIENT_SECRET="$(field client_secret <<<"$INSTANCE")"

step "The IAT works once: using it again is refused"
printf '$ curl ... -H "Authorization: Bearer $IAT" (again)\n'
curl -sS -X POST "$ISSUER/oauth/v2/oauth-dynamic-client-registration" \
  -H "Authorization: Bearer $IAT" -H 'Content-Type: application/json' \
  -d "{\"software_id\": \"$TEMPLATE\"}" -w '\nHTTP %{http_code}\n'

step "Step 4: the user signs in for the instance (curl plays the browser)"
STATE="$(random)"
VERIFIER="$(pkce_verifier)"
CHALLENGE="$(pkce_challenge "$VERIFIER")"
AUTHORIZE_URL="$ISSUER/oauth/v2/oauth-authorize?client_id=$CLIENT_ID&response_type=code&scope=openid&redirect_uri=https%3A%2F%2Flocalhost%2Fcallback&state=$STATE&code_challenge=$CHALLENGE&code_challenge_method=S256"
printf 'A browser would open:\n  %s\n' "$AUTHORIZE_URL"
COOKIES="$(mktemp)"
trap 'rm -f "$COOKIES"' EXIT
LOGIN_PAGE="$(call -c "$COOKIES" "$AUTHORIZE_URL")"
CSRF_TOKEN="$(sed -n 's/.*name="csrf_token" value="\([^"]*\)".*/\1/p' <<<"$LOGIN_PAGE")"
printf '(the login page; its form repeats the request and carries a CSRF token that matches a cookie)\n'
CALLBACK="$(call -b "$COOKIES" -o /dev/null -w '%{redirect_url}' -X POST "$ISSUER/oauth/v2/oauth-authorize" \
  -d "client_id=$CLIENT_ID&response_type=code&scope=openid&state=$STATE&code_challenge=$CHALLENGE&code_challenge_method=S256" \
  --data-urlencode "redirect_uri=$REDIRECT_URI" \
  --data-urlencode "csrf_token=$CSRF_TOKEN" --data-urlencode "username=$DEMO_USER" --data-urlencode "password=$DEMO_USER_PASSWORD")"
printf 'Redirected to:\n  %s\n' "$CALLBACK"
[[ "$(query_param "$CALLBACK" state)" == "$STATE" ]] || { echo "the state came back changed" >&2; exit 1; }
CODE="$(query_param "$CALLBACK" code)"

step "Step 4: the instance exchanges the code"
TOKENS="$(call -X POST "$ISSUER/oauth/v2/oauth-token" -H 'Content-Type: application/x-www-form-urlencoded' \
  -d "grant_type=authorization_code&client_id=$CLIENT_ID&client_secret=$CLIENT_SECRET&code=$CODE&code_verifier=$VERIFIER&redirect_uri=https%3A%2F%2Flocalhost%2Fcallback")"
pretty <<<"$TOKENS"
printf 'The ID token says:\n'
field id_token <<<"$TOKENS" | jwt_payload

step "Userinfo with the access token"
call "$ISSUER/oauth/v2/oauth-userinfo" -H "Authorization: Bearer $(field access_token <<<"$TOKENS")" | pretty
