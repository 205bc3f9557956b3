# hulpbot: a static binary in an empty image, running as a non-root user.
#
#   docker build -t hulpbot .
#   docker run --rm -v $PWD/hulpbot.yaml:/etc/hulpbot/hulpbot.yaml:ro hulpbot
#
# The time zone database is compiled in (time/tzdata), so Europe/Amsterdam
# works without /usr/share/zoneinfo.

FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/hulpbot ./cmd/hulpbot

FROM scratch
# CA certificates, for a Mattermost (or Redis) reached over TLS.
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/hulpbot /hulpbot
# 65532: the conventional "nonroot" user; the image has no other files.
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/hulpbot"]
CMD ["-config", "/etc/hulpbot/hulpbot.yaml"]
