#!/usr/bin/env bash
# Start Microsoft 365 Agents Playground (pinned in package-lock.json) for the
# Casusoverleg bot, headless, with the demo tenant in .m365agentsplayground.yml.
#   deployment/local/playground.sh            # bot expected at http://localhost:3978/api/messages
# Env: BOT_ENDPOINT, PLAYGROUND_PORT (56150), TEAMSAPPTESTER_BROWSER (none: do not open a browser).
# Runs in the foreground; Ctrl-C / SIGTERM stops it.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"   # the playground reads ./.m365agentsplayground.yml from its working directory

want="$(node -p 'require("./package-lock.json").packages["node_modules/@microsoft/m365agentsplayground"].version')"
have="$(node -p 'try{require("./node_modules/@microsoft/m365agentsplayground/package.json").version}catch(e){""}')"
if [ "$want" != "$have" ]; then
  npm ci --no-audit --no-fund --loglevel=error >&2
fi

port="${PLAYGROUND_PORT:-56150}"
# The playground silently moves to a random port when its port is taken; fail instead.
if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
  echo "port $port is already in use (another playground?)" >&2
  exit 1
fi

export TEAMSAPPTESTER_BROWSER="${TEAMSAPPTESTER_BROWSER:-none}"
export M365_AGENTS_PLAYGROUND_CONFIG_PATH="$here/.m365agentsplayground.yml"
export M365_AGENTS_PLAYGROUND_LOGFILE="${M365_AGENTS_PLAYGROUND_LOGFILE:-$here/devTools/m365agentsplayground.log}"
export NO_PROXY="${NO_PROXY:-localhost,127.0.0.1}"

echo "Agents Playground $want: UI http://localhost:$port  ->  bot ${BOT_ENDPOINT:-http://localhost:3978/api/messages}" >&2
exec npx agentsplayground \
  -e "${BOT_ENDPOINT:-http://localhost:3978/api/messages}" \
  -c msteams -p "$port" --disable-telemetry
