# Sourced by .ci/run: puts the project's Node major (.nvmrc) first on PATH. When the machine's own node is
# another major, that Node comes from the npm registry's `node` package (its binary ships in the
# platform-specific package node-<os>-<arch>), installed once into a cache folder outside the repository.
# Why this and not nvm or a tarball download: docs/adr/0004-one-node-major.md.
required=$(tr -d '[:space:]' < .nvmrc)
if [ -z "$required" ]; then echo ".nvmrc names no Node major: run npx projen" >&2; exit 1; fi
current=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo none)
if [ "$current" != "$required" ]; then
  node_home="${XDG_CACHE_HOME:-$HOME/.cache}/fargate-delivery-platform/node-$required"
  if [ ! -x "$node_home/node_modules/.bin/node" ]; then
    echo "Node $current is not the project's Node $required: installing node@$required from the npm registry into $node_home"
    npm install --prefix "$node_home" --no-save --no-audit --no-fund --loglevel=error "node@$required"
  fi
  export PATH="$node_home/node_modules/.bin:$PATH"
fi
echo "Node $(node --version), npm $(npm --version)"
