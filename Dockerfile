# kube-patrol's image: the static binary, CA certificates and nothing else.
#
# Built by scripts/build-image, which first builds the static binary and copies the host's CA
# bundle into target/image/ (no base image is pulled: this builds offline):
#
#   scripts/build-image            # → localhost/kube-patrol:<version>
#
# The root filesystem may be read-only: kube-patrol writes only to its archive volume and, for
# HOME and TMPDIR, /tmp (an emptyDir in the CronJob).
FROM scratch

# The user "nonroot" (65532), and glibc's name service switch: hosts from /etc/hosts, then DNS.
COPY deploy/image/passwd deploy/image/group deploy/image/nsswitch.conf /etc/
# Trust roots for TLS (the SMTP server; an API server whose kubeconfig names no CA).
COPY target/image/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
# /tmp, mode 1777 (a COPY keeps the modes of what is inside the directory it copies).
COPY target/image/root/ /
COPY target/image/kube-patrol /kube-patrol

ENV HOME=/tmp \
    TMPDIR=/tmp \
    SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt

USER 65532:65532
ENTRYPOINT ["/kube-patrol"]
CMD ["--help"]
