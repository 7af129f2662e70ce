#!/usr/bin/env python3
"""Write examples/seed-cluster.json: the shipped demo dump of the seed cluster.

The dump is what

    kubectl get pods,replicasets,deployments,statefulsets,daemonsets,jobs,cronjobs,events,nodes -A -o json

prints against a v1.37 cluster holding the 48 pods of the hand-made seed report
(/work/shared/seed-report.zh-TW.md), as seen at NOW = 2025-12-26T02:00:00Z (10:00 Asia/Taipei).

Python 3 standard library only, and deterministic: every uid, hash, IP and time is derived
from object names and the fixed NOW, never from the clock or an unseeded RNG, so re-running
the script rewrites the same bytes.

Usage: python3 scripts/make-demo-dump.py [OUTPUT]   (default: examples/seed-cluster.json
in the repository this script lives in; "-" for standard output).

The story the objects tell (consistent across pods, owners, events and nodes):
  * Every app is a Deployment with revisionHistoryLimit 0 (CI rolls them; old ReplicaSets are
    not kept), except the Helm-installed prometheus-blackbox-exporter (chart default 10).
  * pigo-dev/pigo-cron-77cc9c4d8c-tw2xb was killed (exit 137) ~7d10h ago, 23 minutes after it
    was created, and its pod went Failed; the ReplicaSet replaced it at once.  10h ago someone
    scaled Deployment pigo-cron 1 -> 0 -> 1: the replacement was deleted and
    pigo-cron-77cc9c4d8c-7t8hw created.  The Failed pod, not being active, was left alone.
  * pigo-rel/prometheus-blackbox-exporter was upgraded ~10d ago (revision 1 -> 2); the old
    pod -6cnqp exited 0 during the rollout and was left behind as Succeeded ("Completed")
    under the old, scaled-to-zero ReplicaSet.
  * The other 10h-old pods were deleted by hand (config reload) and recreated by their
    ReplicaSets; the cluster keeps events for 24h (--event-ttl=24h), so those events remain.
"""

import hashlib
import json
import sys
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

NOW = datetime(2025, 12, 26, 2, 0, 0, tzinfo=timezone.utc)
EPOCH = NOW - timedelta(days=900)  # resourceVersions grow from here

# ---------------------------------------------------------------------------------------------
# The seed: namespace, pod, STATUS, READY, RESTARTS, AGE, NODE (as `kubectl get pods -o wide`).
# The two problem pods have no NODE column in the seed; their nodes are chosen here.
# ---------------------------------------------------------------------------------------------
SEED = """
pigo-dev agent-system-9c6b5446-z6s2t Running 1/1 0 2d14h pigo-stg-k8s-service-node02
pigo-dev datacenter-api-7b74cd9d77-jlqzk Running 1/1 0 9d pigo-rel-k8s-service-node06
pigo-dev game-api-7dc7647dc6-qnjss Running 1/1 0 34d pigo-stg-k8s-service-node02
pigo-dev nacos-5645f897b-t8qs2 Running 1/1 0 92d pigo-stg-k8s-service-node01
pigo-dev pay-mock-d758797b-8rxm8 Running 1/1 0 133d pigo-rel-k8s-service-node04
pigo-dev payment-api-55b6cd6c68-dhfgw Running 1/1 0 6d18h pigo-rel-k8s-service-node02
pigo-dev payment-cron-5f46454c7b-b9xhv Running 1/1 0 6d19h pigo-rel-k8s-service-node02
pigo-dev payment-office-5bcf67595d-vfvkm Running 1/1 0 7d10h pigo-rel-k8s-service-node05
pigo-dev pigo-api-5b5ffcd959-bxzmg Running 1/1 0 2d21h pigo-stg-k8s-service-node01
pigo-dev pigo-cron-77cc9c4d8c-7t8hw Running 1/1 0 10h pigo-stg-k8s-service-node02
pigo-dev pigo-dev-gitlab-runner-c5dcf6bfc-rh9dg Running 1/1 0 24d waas-dev-k8s-service-runner01
pigo-dev pigo-office-d96f874db-qnx88 Running 1/1 0 2d13h pigo-rel-k8s-service-node05
pigo-dev pigo-web-75fb4c7fc5-lc9x6 Running 1/1 0 3d16h pigo-rel-k8s-service-node02
pigo-dev pigo-cron-77cc9c4d8c-tw2xb Error 0/1 0 7d10h pigo-stg-k8s-service-node01
pigo-stg agent-system-797f88c4d5-6lwcl Running 1/1 0 2d13h pigo-rel-k8s-service-node05
pigo-stg datacenter-api-868f556cf7-9dbtq Running 1/1 0 7d10h pigo-rel-k8s-service-node04
pigo-stg game-api-7688f98587-6klx8 Running 1/1 0 69d pigo-rel-k8s-service-node03
pigo-stg game-api-7688f98587-knrxz Running 1/1 0 69d pigo-stg-k8s-service-node02
pigo-stg game-api-7688f98587-llbfj Running 1/1 0 69d pigo-rel-k8s-service-node04
pigo-stg game-api-7688f98587-lwnrc Running 1/1 0 27d pigo-stg-k8s-service-node03
pigo-stg game-api-7688f98587-xpt48 Running 1/1 0 7d10h pigo-rel-k8s-service-node06
pigo-stg nacos-6b9ff57465-f4xkm Running 1/1 0 69d pigo-rel-k8s-service-node03
pigo-stg nginx-75bdbdf5dc-5fgs2 Running 1/1 0 10d pigo-rel-k8s-service-node04
pigo-stg pay-mock-55b9c9c8b-rths8 Running 1/1 0 133d pigo-stg-k8s-service-node03
pigo-stg payment-api-6994687fb9-btnls Running 1/1 0 6d18h pigo-rel-k8s-service-node02
pigo-stg payment-cron-59b547d5b6-d9tt4 Running 1/1 0 10h pigo-rel-k8s-service-node06
pigo-stg payment-office-5666699c94-5g4g6 Running 1/1 0 10h pigo-rel-k8s-service-node05
pigo-stg pigo-api-d95bc5974-7rcnz Running 1/1 0 3d15h pigo-rel-k8s-service-node02
pigo-stg pigo-cron-5dddd89475-8smlq Running 1/1 0 15d pigo-stg-k8s-service-node02
pigo-stg pigo-office-689fbd879d-552hl Running 1/1 0 2d13h pigo-stg-k8s-service-node02
pigo-stg pigo-stg-gitlab-runner-6fbbf8cfcd-hlrrt Running 1/1 0 24d waas-dev-k8s-service-runner01
pigo-stg pigo-web-df684d789-td4zr Running 1/1 0 3d16h pigo-rel-k8s-service-node05
pigo-rel agent-system-cc79bb78-4g5wt Running 1/1 0 44d pigo-rel-k8s-service-node06
pigo-rel datacenter-api-6474f869b8-zggdr Running 1/1 0 10h pigo-rel-k8s-service-node05
pigo-rel game-api-54c8d5c95c-mv29g Running 1/1 0 77d pigo-rel-k8s-service-node01
pigo-rel nacos-5549f7c5f4-bvjbl Running 1/1 0 92d pigo-rel-k8s-service-node01
pigo-rel nfs-server-provisioner-nfs-pigo-0 Running 1/1 0 92d pigo-rel-k8s-nfs-node01
pigo-rel nginx-5776bf8cbf-c7g5b Running 1/1 0 10d pigo-stg-k8s-service-node03
pigo-rel payment-api-65df69785d-7j9td Running 1/1 0 75d pigo-rel-k8s-service-node06
pigo-rel payment-cron-6b4647555b-7cbbv Running 1/1 0 77d pigo-rel-k8s-service-node03
pigo-rel payment-office-6759b88cf6-98frd Running 1/1 0 10h pigo-rel-k8s-service-node02
pigo-rel pigo-api-7486d497ff-v7zgw Running 1/1 0 70d pigo-stg-k8s-service-node03
pigo-rel pigo-cron-5b97575c69-zsp4q Running 1/1 0 77d pigo-rel-k8s-service-node01
pigo-rel pigo-office-5c8d88b9cc-5ndq7 Running 1/1 0 72d pigo-rel-k8s-service-node06
pigo-rel pigo-rel-gitlab-runner-8c756cbfc-cmqsv Running 1/1 0 24d waas-rel-k8s-service-runner01
pigo-rel pigo-web-79457d564-8hr49 Running 1/1 0 70d pigo-rel-k8s-service-node03
pigo-rel prometheus-blackbox-exporter-8c9d676fc-bkk6p Running 1/1 0 10d pigo-rel-k8s-service-node05
pigo-rel prometheus-blackbox-exporter-6fc9ff54ff-6cnqp Completed 0/1 0 51d pigo-rel-k8s-service-node03
"""

ERROR_POD = ("pigo-dev", "pigo-cron-77cc9c4d8c-tw2xb")
COMPLETED_POD = ("pigo-rel", "prometheus-blackbox-exporter-6fc9ff54ff-6cnqp")
BLACKBOX_NEW_POD = ("pigo-rel", "prometheus-blackbox-exporter-8c9d676fc-bkk6p")
CRON_NEW_POD = ("pigo-dev", "pigo-cron-77cc9c4d8c-7t8hw")
# The pod pigo-cron-77cc9c4d8c deleted when pigo-cron was scaled to 0 (gone from the cluster;
# it only appears in the SuccessfulDelete event's message).
CRON_DELETED_POD = "pigo-cron-77cc9c4d8c-q9lzk"
STS_NAME = "nfs-server-provisioner-nfs-pigo"
STS_REVISION = STS_NAME + "-5d8c6b9f47"
CONTROL_PLANE_HOST = "pigo-k8s-master01"

# ---------------------------------------------------------------------------------------------
# Deterministic helpers
# ---------------------------------------------------------------------------------------------


def digest(*parts):
    return hashlib.sha256("\x00".join(str(p) for p in parts).encode()).hexdigest()


def pick(lo, hi, *parts):
    """An integer in [lo, hi], derived from parts."""
    return lo + int(digest(*parts)[:12], 16) % (hi - lo + 1)


def make_uid(*parts):
    return str(uuid.UUID(bytes=bytes.fromhex(digest("uid", *parts)[:32]), version=4))


def ts(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def micro(t):
    return t.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def sec(t):
    """Truncate to whole seconds (API timestamps are second-precision)."""
    return t.replace(microsecond=0)


_used_rvs = set()


def rv(t, *parts):
    """A resourceVersion that grows with the object's last write time, unique in the dump."""
    n = 180_000_000 + int((t - EPOCH).total_seconds()) * 3 + pick(0, 2, "rv", *parts)
    while n in _used_rvs:
        n += 1
    _used_rvs.add(n)
    return str(n)


def human_duration(d):
    """k8s.io/apimachinery/pkg/util/duration.HumanDuration, as kubectl prints AGE."""
    seconds = int(d.total_seconds())
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 60 * 2:
        return "%ds" % seconds
    minutes = seconds // 60
    if minutes < 10:
        s = seconds % 60
        return "%dm" % minutes if s == 0 else "%dm%ds" % (minutes, s)
    if minutes < 60 * 3:
        return "%dm" % minutes
    hours = seconds // 3600
    if hours < 8:
        m = minutes % 60
        return "%dh" % hours if m == 0 else "%dh%dm" % (hours, m)
    if hours < 48:
        return "%dh" % hours
    if hours < 24 * 8:
        h = hours % 24
        return "%dd" % (hours // 24) if h == 0 else "%dd%dh" % (hours // 24, h)
    if hours < 24 * 365 * 2:
        return "%dd" % (hours // 24)
    if hours < 24 * 365 * 8:
        dy = (hours // 24) % 365
        y = hours // 24 // 365
        return "%dy" % y if dy == 0 else "%dy%dd" % (y, dy)
    return "%dy" % (hours // 24 // 365)


def parse_age(age):
    """'2d14h' -> (timedelta(days=2, hours=14), unit of the last field)."""
    days = hours = 0
    rest = age
    if "d" in rest:
        d, rest = rest.split("d", 1)
        days = int(d)
    if rest.endswith("h"):
        hours = int(rest[:-1])
        unit = "h"
    else:
        assert rest == "", age
        unit = "d"
    return timedelta(days=days, hours=hours), unit


def age_margin(age, group, pod):
    """How much older than its printed AGE a pod is: a 'wave' margin shared by pods of the same
    AGE (or the same ReplicaSet and AGE), plus a small per-pod jitter; always well inside the
    printed unit so kubectl prints exactly AGE."""
    _, unit = parse_age(age)
    if unit == "d":  # shown in whole days: anywhere in [1h, 21h)
        base = timedelta(hours=pick(1, 19, "wave", group), minutes=pick(0, 59, "wave-m", group))
        jitter = timedelta(seconds=pick(0, 1500, "jit", pod))
    else:  # shown in whole hours: anywhere in [6m, 54m)
        base = timedelta(minutes=pick(8, 44, "wave", group), seconds=pick(0, 59, "wave-s", group))
        jitter = timedelta(seconds=pick(0, 240, "jit", pod))
    if group.startswith("rs:"):  # created together by one scale-up: seconds apart
        jitter = timedelta(seconds=pick(0, 2, "jit", pod))
    return base + jitter


# ---------------------------------------------------------------------------------------------
# Apps: container shape per app
# ---------------------------------------------------------------------------------------------

ENV_OF = {"pigo-dev": "dev", "pigo-stg": "stg", "pigo-rel": "rel"}

THIRD_PARTY = {
    "nacos": ("harbor.pigo.local/dockerhub/nacos/nacos-server", "v2.4.3"),
    "gitlab-runner": ("harbor.pigo.local/dockerhub/gitlab/gitlab-runner", "alpine-v17.11.0"),
    "nfs-server-provisioner": ("harbor.pigo.local/k8s/sig-storage/nfs-provisioner", "v4.0.8"),
    "prometheus-blackbox-exporter": ("harbor.pigo.local/quay/prometheus/blackbox-exporter", None),
}


def app_kind(app):
    if app.endswith("-gitlab-runner"):
        return "gitlab-runner"
    if app in THIRD_PARTY:
        return app
    if app.endswith("-api"):
        return "api"
    if app.endswith("-cron"):
        return "cron"
    if app in ("nginx", "pigo-web"):
        return "web"
    return "service"  # agent-system, pay-mock, *-office


def image_for(ns, app, rs_name, rs_created, revision=None):
    kind = app_kind(app)
    if kind == "prometheus-blackbox-exporter":
        repo, _ = THIRD_PARTY[kind]
        return "%s:%s" % (repo, "v0.25.0" if revision == 1 else "v0.27.0")
    if kind in THIRD_PARTY:
        repo, tag = THIRD_PARTY[kind]
        return "%s:%s" % (repo, tag)
    env = ENV_OF[ns]
    local = rs_created.astimezone(timezone(timedelta(hours=8)))
    sha = digest("commit", ns, rs_name)[:7]
    if env == "rel":
        tag = "v%d.%d.%d" % (pick(2, 3, "maj", app), pick(0, 24, "min", rs_name), pick(0, 9, "pat", rs_name))
    else:
        tag = "%s-%s-%s" % (env, local.strftime("%Y%m%d"), sha)
    return "harbor.pigo.local/pigo/%s:%s" % (app, tag)


def image_id(image):
    repo = image.rsplit(":", 1)[0]
    return "%s@sha256:%s" % (repo, digest("image", image))


def image_size(image):
    return pick(38_000_000, 420_000_000, "size", image)


def container_spec(ns, app, image, sa_volume):
    kind = app_kind(app)
    env = ENV_OF[ns]
    c = {
        "name": app,
        "image": image,
        "imagePullPolicy": "IfNotPresent",
        "terminationMessagePath": "/dev/termination-log",
        "terminationMessagePolicy": "File",
        "volumeMounts": [],
    }
    java = {"requests": {"cpu": "200m", "memory": "1Gi"}, "limits": {"cpu": "2", "memory": "2Gi"}}
    if kind in ("api", "service", "cron"):
        c["env"] = [
            {"name": "APP_ENV", "value": env},
            {"name": "TZ", "value": "Asia/Taipei"},
            {"name": "NACOS_SERVER_ADDR", "value": "nacos.%s.svc.cluster.local:8848" % ns},
            {"name": "JAVA_OPTS", "value": "-XX:MaxRAMPercentage=75.0"},
        ]
        c["resources"] = java
        if kind != "cron":
            c["ports"] = [{"containerPort": 8080, "name": "http", "protocol": "TCP"}]
        if kind == "api":
            c["readinessProbe"] = {
                "failureThreshold": 3,
                "httpGet": {"path": "/actuator/health/readiness", "port": 8080, "scheme": "HTTP"},
                "initialDelaySeconds": 15,
                "periodSeconds": 10,
                "successThreshold": 1,
                "timeoutSeconds": 2,
            }
    elif kind == "web":
        c["ports"] = [{"containerPort": 80, "name": "http", "protocol": "TCP"}]
        c["resources"] = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "500m", "memory": "256Mi"}}
    elif kind == "nacos":
        c["env"] = [
            {"name": "MODE", "value": "standalone"},
            {"name": "PREFER_HOST_MODE", "value": "hostname"},
            {"name": "NACOS_AUTH_ENABLE", "value": "true"},
            {"name": "JVM_XMS", "value": "1g"},
            {"name": "JVM_XMX", "value": "1g"},
        ]
        c["ports"] = [
            {"containerPort": 8848, "name": "http", "protocol": "TCP"},
            {"containerPort": 9848, "name": "client-rpc", "protocol": "TCP"},
            {"containerPort": 9849, "name": "raft-rpc", "protocol": "TCP"},
        ]
        c["resources"] = {"requests": {"cpu": "250m", "memory": "1536Mi"}, "limits": {"cpu": "2", "memory": "2Gi"}}
    elif kind == "gitlab-runner":
        c["command"] = ["/usr/bin/dumb-init", "--", "/bin/bash", "/configmaps/entrypoint"]
        c["env"] = [
            {"name": "CI_SERVER_URL", "value": "https://gitlab.pigo.local/"},
            {"name": "RUNNER_EXECUTOR", "value": "kubernetes"},
            {"name": "KUBERNETES_NAMESPACE", "value": ns},
        ]
        c["ports"] = [{"containerPort": 9252, "name": "metrics", "protocol": "TCP"}]
        c["resources"] = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}
        c["volumeMounts"].append({"mountPath": "/configmaps", "name": "configmaps"})
    elif kind == "nfs-server-provisioner":
        c["args"] = ["-provisioner=cluster.local/" + STS_NAME]
        c["env"] = [
            {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
            {"name": "SERVICE_NAME", "value": STS_NAME},
            {"name": "POD_NAMESPACE", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}},
        ]
        c["ports"] = [
            {"containerPort": 2049, "name": "nfs", "protocol": "TCP"},
            {"containerPort": 2049, "name": "nfs-udp", "protocol": "UDP"},
            {"containerPort": 32803, "name": "nlockmgr", "protocol": "TCP"},
            {"containerPort": 20048, "name": "mountd", "protocol": "TCP"},
            {"containerPort": 875, "name": "rquotad", "protocol": "TCP"},
            {"containerPort": 111, "name": "rpcbind", "protocol": "TCP"},
            {"containerPort": 662, "name": "statd", "protocol": "TCP"},
        ]
        c["resources"] = {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "1", "memory": "512Mi"}}
        c["securityContext"] = {"capabilities": {"add": ["DAC_READ_SEARCH", "SYS_RESOURCE"]}}
        c["volumeMounts"].append({"mountPath": "/export", "name": "data"})
    elif kind == "prometheus-blackbox-exporter":
        c["args"] = ["--config.file=/config/blackbox.yaml"]
        c["ports"] = [{"containerPort": 9115, "name": "http", "protocol": "TCP"}]
        probe = {
            "failureThreshold": 3,
            "httpGet": {"path": "/-/healthy", "port": "http", "scheme": "HTTP"},
            "periodSeconds": 10,
            "successThreshold": 1,
            "timeoutSeconds": 1,
        }
        c["livenessProbe"] = dict(probe)
        c["readinessProbe"] = dict(probe)
        c["resources"] = {"requests": {"cpu": "20m", "memory": "32Mi"}, "limits": {"cpu": "200m", "memory": "128Mi"}}
        c["securityContext"] = {
            "allowPrivilegeEscalation": False,
            "capabilities": {"drop": ["ALL"]},
            "readOnlyRootFilesystem": True,
            "runAsGroup": 1000,
            "runAsNonRoot": True,
            "runAsUser": 1000,
        }
        c["volumeMounts"].append({"mountPath": "/config", "name": "config"})
    if sa_volume:
        c["volumeMounts"].append(
            {"mountPath": "/var/run/secrets/kubernetes.io/serviceaccount", "name": sa_volume, "readOnly": True}
        )
    if not c["volumeMounts"]:
        del c["volumeMounts"]
    return c


def extra_volumes(ns, app):
    kind = app_kind(app)
    if kind == "gitlab-runner":
        return [{"configMap": {"defaultMode": 420, "name": app}, "name": "configmaps"}]
    if kind == "nfs-server-provisioner":
        return [{"hostPath": {"path": "/srv/nfs-pigo", "type": "DirectoryOrCreate"}, "name": "data"}]
    if kind == "prometheus-blackbox-exporter":
        return [{"configMap": {"defaultMode": 420, "name": app}, "name": "config"}]
    return []


def node_selector(app):
    kind = app_kind(app)
    if kind == "gitlab-runner":
        return {"node-role.kubernetes.io/runner": ""}
    if kind == "nfs-server-provisioner":
        return {"kubernetes.io/hostname": "pigo-rel-k8s-nfs-node01"}
    return None


def pod_template_spec(ns, app, image, sa_volume=None, hostname=None, is_pod=False):
    """The pod spec as the API server stores it, defaults filled in: a Pod's (is_pod, with the
    admission-injected service-account token volume sa_volume if any) or a template's."""
    spec = {
        "containers": [container_spec(ns, app, image, sa_volume)],
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always",
        "schedulerName": "default-scheduler",
        "securityContext": {},
        "terminationGracePeriodSeconds": 30,
    }
    kind = app_kind(app)
    if kind in ("api", "service", "cron", "web"):
        spec["imagePullSecrets"] = [{"name": "harbor-pull"}]
    sel = node_selector(app)
    if sel:
        spec["nodeSelector"] = sel
    if kind == "gitlab-runner":
        spec["serviceAccount"] = app
        spec["serviceAccountName"] = app
    if kind == "nfs-server-provisioner":
        spec["serviceAccount"] = STS_NAME
        spec["serviceAccountName"] = STS_NAME
        spec["terminationGracePeriodSeconds"] = 100
    if kind == "prometheus-blackbox-exporter":
        spec["serviceAccount"] = app
        spec["serviceAccountName"] = app
        spec["automountServiceAccountToken"] = False
    vols = extra_volumes(ns, app)
    if vols:
        spec["volumes"] = vols
    if is_pod:
        spec["enableServiceLinks"] = True
        spec["preemptionPolicy"] = "PreemptLowerPriority"
        spec["priority"] = 0
        spec.setdefault("serviceAccount", "default")
        spec.setdefault("serviceAccountName", "default")
        spec["tolerations"] = [
            {"effect": "NoExecute", "key": "node.kubernetes.io/not-ready", "operator": "Exists", "tolerationSeconds": 300},
            {"effect": "NoExecute", "key": "node.kubernetes.io/unreachable", "operator": "Exists", "tolerationSeconds": 300},
        ]
        if hostname:
            spec["hostname"] = hostname
            spec["subdomain"] = STS_NAME
    return spec


def sa_volume_def(name):
    return {
        "name": name,
        "projected": {
            "defaultMode": 420,
            "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"items": [{"key": "ca.crt", "path": "ca.crt"}], "name": "kube-root-ca.crt"}},
                {
                    "downwardAPI": {
                        "items": [{"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}, "path": "namespace"}]
                    }
                },
            ],
        },
    }


def probe_delay(app):
    kind = app_kind(app)
    if kind == "api":
        return 15 + pick(1, 9, "probe", app)  # initialDelaySeconds 15, then the first success
    if kind == "prometheus-blackbox-exporter":
        return pick(1, 4, "probe", app)
    return 0


# ---------------------------------------------------------------------------------------------
# Nodes
# ---------------------------------------------------------------------------------------------


def node_profile(name):
    """(role, env, internal IP, cpu, memory Ki, disk Ki, pod CIDR third octet)."""
    if name.startswith("pigo-rel-k8s-service-node"):
        n = int(name[-2:])
        return ("service", "rel", "172.16.20.%d" % (10 + n), 16, 32863460, 205314024, 10 + n)
    if name.startswith("pigo-stg-k8s-service-node"):
        n = int(name[-2:])
        return ("service", "stg", "172.16.30.%d" % (10 + n), 8, 16393252, 102626232, 20 + n)
    if name == "pigo-rel-k8s-nfs-node01":
        return ("nfs", "rel", "172.16.20.50", 4, 8131200, 1073217536, 30)
    if name == "waas-dev-k8s-service-runner01":
        return ("runner", "dev", "172.16.40.11", 8, 16393252, 205314024, 41)
    if name == "waas-rel-k8s-service-runner01":
        return ("runner", "rel", "172.16.40.21", 8, 16393252, 205314024, 42)
    raise ValueError(name)


# ---------------------------------------------------------------------------------------------
# kubectl's STATUS / READY / RESTARTS columns (printPod, the parts these pods exercise)
# ---------------------------------------------------------------------------------------------


def kubectl_columns(pod):
    status = pod["status"]
    reason = status.get("reason") or status["phase"]
    ready = restarts = 0
    has_running = False
    statuses = status.get("containerStatuses", [])
    for cs in reversed(statuses):
        restarts += cs["restartCount"]
        st = cs["state"]
        if "waiting" in st and st["waiting"].get("reason"):
            reason = st["waiting"]["reason"]
        elif "terminated" in st and st["terminated"].get("reason"):
            reason = st["terminated"]["reason"]
        elif "terminated" in st:
            reason = "ExitCode:%d" % st["terminated"]["exitCode"]
        elif cs["ready"] and "running" in st:
            has_running = True
            ready += 1
    if reason == "Completed" and has_running:
        reason = "Running"
    return reason, "%d/%d" % (ready, len(pod["spec"]["containers"])), str(restarts)


# ---------------------------------------------------------------------------------------------
# Build
# ---------------------------------------------------------------------------------------------


def parse_seed():
    rows = []
    for line in SEED.strip().splitlines():
        ns, name, status, ready, restarts, age, node = line.split()
        if name.startswith(STS_NAME + "-"):
            app, owner = "nfs-server-provisioner", STS_NAME
        else:
            owner = name.rsplit("-", 1)[0]
            app = owner.rsplit("-", 1)[0]
        rows.append(dict(ns=ns, name=name, status=status, ready=ready, restarts=restarts, age=age,
                         node=node, app=app, owner=owner))
    return rows


def build():
    rows = parse_seed()
    assert len(rows) == 48

    # --- creation times ------------------------------------------------------------------
    by_owner_age = {}
    for r in rows:
        by_owner_age.setdefault((r["ns"], r["owner"], r["age"]), []).append(r)
    for r in rows:
        delta, _ = parse_age(r["age"])
        group = r["age"]
        if len(by_owner_age[(r["ns"], r["owner"], r["age"])]) > 1:
            group = "rs:%s/%s/%s" % (r["ns"], r["owner"], r["age"])
        r["created"] = NOW - delta - age_margin(r["age"], group, r["name"])

    rowmap = {(r["ns"], r["name"]): r for r in rows}

    # The 7d10h incident: tw2xb created, killed 23 minutes later; the other 7d10h pods were
    # created (rescheduled) just after.
    err = rowmap[ERROR_POD]
    err["created"] = NOW - timedelta(days=7, hours=10, minutes=29, seconds=21)
    err_started = err["created"] + timedelta(seconds=40)
    err_finished = NOW - timedelta(days=7, hours=10, minutes=6, seconds=4)
    for r in rows:
        if r["age"] == "7d10h" and r is not err:
            r["created"] = err_finished + timedelta(seconds=pick(20, 100, "7d10h", r["name"]))

    # The scale 1 -> 0 -> 1 of pigo-dev/pigo-cron, 10h ago.
    cron_new = rowmap[CRON_NEW_POD]
    cron_scaled_down = cron_new["created"] - timedelta(seconds=47)

    # The blackbox rollout ~10d ago.
    bb_new = rowmap[BLACKBOX_NEW_POD]

    for r in rows:
        r["created"] = sec(r["created"])
        got = human_duration(NOW - r["created"])
        assert got == r["age"], (r["name"], got, r["age"])

    # --- nodes -----------------------------------------------------------------------------
    node_names = sorted({r["node"] for r in rows})
    node_uid = {n: make_uid("node", n) for n in node_names}
    used_ips = {}

    def pod_ip(node, name):
        octet3 = node_profile(node)[6]
        used = used_ips.setdefault(node, set())
        last = pick(2, 250, "podip", name)
        while last in used:
            last += 1
        used.add(last)
        return "10.244.%d.%d" % (octet3, last)

    # --- owners (ReplicaSets / StatefulSet), in the order we meet them ------------------------
    owners = {}
    for r in rows:
        key = (r["ns"], r["owner"])
        o = owners.setdefault(key, dict(ns=r["ns"], name=r["owner"], app=r["app"], pods=[]))
        o["pods"].append(r)

    # Hand-deleted pods (10h) whose ReplicaSet is older than the pod.
    recreated_10h = {(r["ns"], r["name"]) for r in rows if r["age"] == "10h"} - {CRON_NEW_POD}

    for key, o in owners.items():
        oldest = min(p["created"] for p in o["pods"])
        o["created"] = oldest - timedelta(seconds=1)
        if any((p["ns"], p["name"]) in recreated_10h for p in o["pods"]):
            o["created"] = sec(NOW - timedelta(days=pick(3, 40, "rs-age", *key), hours=pick(0, 23, "rs-h", *key),
                                               minutes=pick(0, 59, "rs-m", *key)))
        if key == ("pigo-stg", "game-api-7688f98587"):
            o["created"] = oldest - timedelta(seconds=2)
        if key == (ERROR_POD[0], "pigo-cron-77cc9c4d8c"):
            o["created"] = err["created"] - timedelta(seconds=1)
        o["uid"] = make_uid("owner", *key)

    # --- pod lifecycle times ---------------------------------------------------------------
    for r in rows:
        C = r["created"]
        r["scheduled"] = C
        if (r["ns"], r["name"]) == ERROR_POD:
            r["started"] = err_started
        else:
            r["started"] = C + timedelta(seconds=pick(2, 4, "start", r["ns"], r["name"]))
        r["ready_at"] = r["started"] + timedelta(seconds=probe_delay(r["app"]) or 1)

    # --- pods ----------------------------------------------------------------------------------
    pods = []
    for r in sorted(rows, key=lambda r: (r["ns"], r["name"])):
        key = (r["ns"], r["name"])
        o = owners[(r["ns"], r["owner"])]
        C = r["created"]
        is_sts = r["owner"] == STS_NAME
        is_err = key == ERROR_POD
        is_done = key == COMPLETED_POD
        revision = 1 if is_done else None
        image = image_for(r["ns"], r["app"], r["owner"], o["created"], revision or 2)
        r["image"] = image
        sa_vol = None
        if app_kind(r["app"]) != "prometheus-blackbox-exporter":
            sa_vol = "kube-api-access-" + "".join(
                "bcdfghjklmnpqrstvwxz2456789"[int(ch, 16) % 27] for ch in digest("sa", *key)[:5])
        spec = pod_template_spec(r["ns"], r["app"], image, sa_volume=sa_vol,
                                 hostname=r["name"] if is_sts else None, is_pod=True)
        spec["nodeName"] = r["node"]
        if sa_vol:
            spec.setdefault("volumes", []).append(sa_volume_def(sa_vol))

        labels = {"app": r["app"]}
        if is_sts:
            labels.update({
                "apps.kubernetes.io/pod-index": r["name"].rsplit("-", 1)[1],
                "controller-revision-hash": STS_REVISION,
                "release": "nfs-pigo",
                "statefulset.kubernetes.io/pod-name": r["name"],
            })
        else:
            labels["pod-template-hash"] = r["owner"].rsplit("-", 1)[1]
        if app_kind(r["app"]) == "gitlab-runner":
            labels["release"] = r["app"]

        uid = make_uid("pod", *key)
        profile = node_profile(r["node"])
        host_ip = profile[2]
        ip = pod_ip(r["node"], r["name"])

        scheduled, started, ready_at = r["scheduled"], r["started"], r["ready_at"]
        start_time = C + timedelta(seconds=1)
        sandbox_ready = C + timedelta(seconds=2)
        r["uid"] = uid

        cid = "containerd://" + digest("container", *key)
        container = spec["containers"][0]
        cs = {
            "containerID": cid,
            "image": image,
            "imageID": image_id(image),
            "lastState": {},
            "name": r["app"],
            "restartCount": 0,
        }
        res = container.get("resources")
        if res:
            cs["allocatedResources"] = dict(res["requests"])
            cs["resources"] = {"limits": dict(res["limits"]), "requests": dict(res["requests"])}
        uid_gid = 1000 if app_kind(r["app"]) == "prometheus-blackbox-exporter" else 0
        cs["user"] = {"linux": {"gid": uid_gid, "supplementalGroups": [uid_gid], "uid": uid_gid}}
        mounts = []
        for m in container.get("volumeMounts", []):
            mm = dict(m)
            if mm.get("readOnly"):
                mm["recursiveReadOnly"] = "Disabled"
            mounts.append(mm)
        if mounts:
            cs["volumeMounts"] = mounts

        def cond(ctype, status, t, reason=None):
            c = {"lastProbeTime": None, "lastTransitionTime": ts(t), "observedGeneration": 1,
                 "status": status, "type": ctype}
            if reason:
                c["reason"] = reason
            return c

        if is_err or is_done:
            if is_err:
                finished = err_finished
                phase, term_reason, code, terminal_reason = "Failed", "Error", 137, "PodFailed"
            else:
                finished = bb_new["ready_at"] + timedelta(seconds=6)
                phase, term_reason, code, terminal_reason = "Succeeded", "Completed", 0, "PodCompleted"
            r["finished"] = finished
            cs.update(ready=False, started=False, state={"terminated": {
                "containerID": cid, "exitCode": code, "finishedAt": ts(finished),
                "reason": term_reason, "startedAt": ts(started)}})
            conditions = [
                cond("PodReadyToStartContainers", "False", finished + timedelta(seconds=1)),
                cond("Initialized", "True", start_time, "PodCompleted" if is_done else None),
                cond("Ready", "False", finished + timedelta(seconds=1), terminal_reason),
                cond("ContainersReady", "False", finished + timedelta(seconds=1), terminal_reason),
                cond("PodScheduled", "True", scheduled),
            ]
            last_write = finished + timedelta(seconds=1)
        else:
            phase = "Running"
            cs.update(ready=True, started=True, state={"running": {"startedAt": ts(started)}})
            conditions = [
                cond("PodReadyToStartContainers", "True", sandbox_ready),
                cond("Initialized", "True", start_time),
                cond("Ready", "True", ready_at),
                cond("ContainersReady", "True", ready_at),
                cond("PodScheduled", "True", scheduled),
            ]
            last_write = ready_at

        pod = {
            "apiVersion": "v1",
            "kind": "Pod",
            "metadata": {
                "creationTimestamp": ts(C),
                "generateName": r["owner"] + "-",
                "generation": 1,
                "labels": labels,
                "name": r["name"],
                "namespace": r["ns"],
                "ownerReferences": [{
                    "apiVersion": "apps/v1",
                    "blockOwnerDeletion": True,
                    "controller": True,
                    "kind": "StatefulSet" if is_sts else "ReplicaSet",
                    "name": r["owner"],
                    "uid": o["uid"],
                }],
                "resourceVersion": rv(last_write, "pod", *key),
                "uid": uid,
            },
            "spec": spec,
            "status": {
                "conditions": conditions,
                "containerStatuses": [cs],
                "hostIP": host_ip,
                "hostIPs": [{"ip": host_ip}],
                "observedGeneration": 1,
                "phase": phase,
                "podIP": ip,
                "podIPs": [{"ip": ip}],
                "qosClass": "Burstable",
                "startTime": ts(start_time),
            },
        }
        r["pod_rv_created"] = rv(C, "pod-created", *key)

        col = kubectl_columns(pod)
        assert col == (r["status"], r["ready"], r["restarts"]), (r["name"], col)
        pods.append(pod)

    # --- ReplicaSets and Deployments -------------------------------------------------------
    deployments = {}
    for key, o in owners.items():
        if o["name"] == STS_NAME:
            continue
        dkey = (o["ns"], o["app"])
        deployments.setdefault(dkey, []).append(o)

    replicasets = []
    deploy_objs = []
    for dkey in sorted(deployments):
        ns, app = dkey
        rss = deployments[dkey]
        d_uid = make_uid("deployment", *dkey)
        helm = app_kind(app) in ("gitlab-runner", "prometheus-blackbox-exporter")
        is_bb = app == "prometheus-blackbox-exporter"
        is_cron_dev = dkey == (ERROR_POD[0], "pigo-cron")

        # current RS = the one with running pods
        def active(o):
            return [p for p in o["pods"] if p["status"] == "Running"]

        current = [o for o in rss if active(o)]
        assert len(current) == 1, dkey
        current = current[0]
        replicas = len(active(current))
        max_surge = -(-replicas * 25 // 100)

        if is_bb:
            old = [o for o in rss if o is not current][0]
            d_created = old["created"] - timedelta(seconds=1)
            revision_of = {old["name"]: 1, current["name"]: 2}
            d_generation = 2
            history = 10
        else:
            assert len(rss) == 1, dkey
            d_created = sec(current["created"] - timedelta(days=pick(60, 420, "dep-age", *dkey),
                                                           hours=pick(0, 23, "dep-h", *dkey)))
            rev = pick(4, 60 if ns == "pigo-dev" else 30, "rev", *dkey)
            if app_kind(app) in ("nacos", "gitlab-runner"):
                rev = pick(2, 5, "rev", *dkey)
            revision_of = {current["name"]: rev}
            d_generation = rev + pick(0, 2, "gen", *dkey) + (2 if is_cron_dev else 0)
            history = 0

        labels = {"app": app}
        annotations = {"deployment.kubernetes.io/revision": str(revision_of[current["name"]])}
        if helm:
            release = app
            labels.update({"app.kubernetes.io/managed-by": "Helm", "heritage": "Helm", "release": release})
            labels["chart"] = "gitlab-runner-0.76.0" if app_kind(app) == "gitlab-runner" else "prometheus-blackbox-exporter-11.0.0"
            annotations.update({"meta.helm.sh/release-name": release, "meta.helm.sh/release-namespace": ns})

        # times
        # the rollout finished when the ReplicaSet's first pod became ready
        rollout_done = min(p["ready_at"] for p in current["pods"]) + timedelta(seconds=1)
        if current["created"] < min(p["created"] for p in current["pods"]) - timedelta(seconds=5):
            # RS older than all its pods (pods recreated): the rollout finished long before.
            rollout_done = current["created"] + timedelta(seconds=pick(20, 40, "roll", *dkey))
        newest_active = max(active(current), key=lambda p: p["created"])
        if replicas == 1:
            available_since = newest_active["ready_at"] + timedelta(seconds=1)
        else:
            available_since = rollout_done
        last_write = max(available_since, rollout_done)

        template_labels = {"app": app}
        if app_kind(app) == "gitlab-runner":
            template_labels["release"] = app

        for o in sorted(rss, key=lambda o: o["name"]):
            is_current = o is current
            n = replicas if is_current else 0
            hash_ = o["name"].rsplit("-", 1)[1]
            rs_labels = dict(template_labels, **{"pod-template-hash": hash_})
            revision = revision_of[o["name"]]
            image = o["pods"][0]["image"]
            if is_current and (ns, app) == ("pigo-stg", "game-api"):
                rs_generation = 3  # created with 2 (maxSurge), then scaled to 5
            elif is_cron_dev:
                rs_generation = 3  # 1 -> 0 -> 1
            elif not is_current:
                rs_generation = 2  # scaled to 0 by the rollout
            else:
                rs_generation = 1
            if is_current:
                status = {
                    "availableReplicas": n,
                    "fullyLabeledReplicas": n,
                    "observedGeneration": rs_generation,
                    "readyReplicas": n,
                    "replicas": n,
                }
                rs_write = max(p["ready_at"] for p in active(o)) + timedelta(seconds=1)
            else:
                status = {"observedGeneration": rs_generation, "replicas": 0}
                rs_write = bb_new["ready_at"] + timedelta(seconds=2)
            rs_annotations = {
                "deployment.kubernetes.io/desired-replicas": str(replicas),
                "deployment.kubernetes.io/max-replicas": str(replicas + max_surge),
                "deployment.kubernetes.io/revision": str(revision),
            }
            if helm:
                rs_annotations.update({"meta.helm.sh/release-name": app, "meta.helm.sh/release-namespace": ns})
            o["rv"] = rv(rs_write, "rs", ns, o["name"])
            replicasets.append({
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "metadata": {
                    "annotations": rs_annotations,
                    "creationTimestamp": ts(o["created"]),
                    "generation": rs_generation,
                    "labels": rs_labels,
                    "name": o["name"],
                    "namespace": ns,
                    "ownerReferences": [{
                        "apiVersion": "apps/v1",
                        "blockOwnerDeletion": True,
                        "controller": True,
                        "kind": "Deployment",
                        "name": app,
                        "uid": d_uid,
                    }],
                    "resourceVersion": o["rv"],
                    "uid": o["uid"],
                },
                "spec": {
                    "replicas": n,
                    "selector": {"matchLabels": dict(rs_labels)},
                    "template": {
                        "metadata": {"labels": dict(rs_labels)},
                        "spec": pod_template_spec(ns, app, image),
                    },
                },
                "status": status,
            })

        current_image = current["pods"][0]["image"]
        deploy = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "metadata": {
                "annotations": annotations,
                "creationTimestamp": ts(d_created),
                "generation": d_generation,
                "labels": labels,
                "name": app,
                "namespace": ns,
                "resourceVersion": rv(last_write, "deploy", *dkey),
                "uid": d_uid,
            },
            "spec": {
                "progressDeadlineSeconds": 600,
                "replicas": replicas,
                "revisionHistoryLimit": history,
                "selector": {"matchLabels": dict(template_labels)},
                "strategy": {"rollingUpdate": {"maxSurge": "25%", "maxUnavailable": "25%"}, "type": "RollingUpdate"},
                "template": {
                    "metadata": {"labels": dict(template_labels)},
                    "spec": pod_template_spec(ns, app, current_image),
                },
            },
            "status": {
                "availableReplicas": replicas,
                "conditions": [
                    {
                        "lastTransitionTime": ts(available_since),
                        "lastUpdateTime": ts(available_since),
                        "message": "Deployment has minimum availability.",
                        "reason": "MinimumReplicasAvailable",
                        "status": "True",
                        "type": "Available",
                    },
                    {
                        "lastTransitionTime": ts(d_created + timedelta(seconds=1)),
                        "lastUpdateTime": ts(rollout_done),
                        "message": 'ReplicaSet "%s" has successfully progressed.' % current["name"],
                        "reason": "NewReplicaSetAvailable",
                        "status": "True",
                        "type": "Progressing",
                    },
                ],
                "observedGeneration": d_generation,
                "readyReplicas": replicas,
                "replicas": replicas,
                "updatedReplicas": replicas,
            },
        }
        deployments[dkey] = (rss, d_uid, deploy)
        deploy_objs.append(deploy)

    # --- StatefulSet -----------------------------------------------------------------------
    sts_owner = owners[("pigo-rel", STS_NAME)]
    sts_pod = sts_owner["pods"][0]
    sts_created = sec(sts_pod["created"] - timedelta(days=pick(200, 400, "sts-age")))
    sts_labels = {"app": "nfs-server-provisioner", "chart": "nfs-server-provisioner-1.8.0",
                  "heritage": "Helm", "release": "nfs-pigo"}
    sts_sel = {"app": "nfs-server-provisioner", "release": "nfs-pigo"}
    statefulset = {
        "apiVersion": "apps/v1",
        "kind": "StatefulSet",
        "metadata": {
            "annotations": {"meta.helm.sh/release-name": "nfs-pigo", "meta.helm.sh/release-namespace": "pigo-rel"},
            "creationTimestamp": ts(sts_created),
            "generation": 2,
            "labels": sts_labels,
            "name": STS_NAME,
            "namespace": "pigo-rel",
            "resourceVersion": rv(sts_pod["ready_at"] + timedelta(seconds=1), "sts"),
            "uid": sts_owner["uid"],
        },
        "spec": {
            "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Retain", "whenScaled": "Retain"},
            "podManagementPolicy": "OrderedReady",
            "replicas": 1,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": sts_sel},
            "serviceName": STS_NAME,
            "template": {
                "metadata": {"labels": dict(sts_sel)},
                "spec": pod_template_spec("pigo-rel", "nfs-server-provisioner", sts_pod["image"]),
            },
            "updateStrategy": {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"},
        },
        "status": {
            "availableReplicas": 1,
            "collisionCount": 0,
            "currentReplicas": 1,
            "currentRevision": STS_REVISION,
            "observedGeneration": 2,
            "readyReplicas": 1,
            "replicas": 1,
            "updateRevision": STS_REVISION,
            "updatedReplicas": 1,
        },
    }
    # the pod's labels must match the StatefulSet selector
    for p in pods:
        if p["metadata"]["name"] == sts_pod["name"]:
            assert all(p["metadata"]["labels"].get(k) == v for k, v in sts_sel.items())

    # --- Events ----------------------------------------------------------------------------
    events = []

    def legacy_event(ns, obj, reason, message, t, source, host=None, field_path=None):
        t = t if t.microsecond else t + timedelta(microseconds=pick(1000, 999999, "evus", obj["name"], reason))
        name = "%s.%x" % (obj["name"], int(t.timestamp()) * 10**9 + t.microsecond * 1000 + pick(0, 999, "evns", obj["name"], reason))
        inv = {k: obj[k] for k in ("apiVersion", "kind", "name", "namespace", "resourceVersion", "uid")}
        if field_path:
            inv["fieldPath"] = field_path
        src = {"component": source}
        if host:
            src["host"] = host
        events.append({
            "apiVersion": "v1",
            "count": 1,
            "eventTime": None,
            "firstTimestamp": ts(t),
            "involvedObject": inv,
            "kind": "Event",
            "lastTimestamp": ts(t),
            "message": message,
            "metadata": {
                "creationTimestamp": ts(t),
                "name": name,
                "namespace": ns,
                "resourceVersion": rv(t, "event", name),
                "uid": make_uid("event", ns, name),
            },
            "reason": reason,
            "reportingComponent": source,
            "reportingInstance": host or "",
            "source": src,
            "type": "Normal",
        })

    def scheduler_event(ns, obj, node, t):
        # The scheduler records through events.k8s.io/v1; read back as core/v1 such an event has
        # eventTime and action, and no count, firstTimestamp, lastTimestamp or source.
        t = t + timedelta(microseconds=pick(20000, 90000, "schedus", obj["name"]))
        name = "%s.%x" % (obj["name"], int(t.timestamp()) * 10**9 + t.microsecond * 1000 + pick(0, 999, "schedns", obj["name"]))
        events.append({
            "action": "Binding",
            "apiVersion": "v1",
            "eventTime": micro(t),
            "firstTimestamp": None,
            "involvedObject": {k: obj[k] for k in ("apiVersion", "kind", "name", "namespace", "resourceVersion", "uid")},
            "kind": "Event",
            "lastTimestamp": None,
            "message": "Successfully assigned %s/%s to %s" % (ns, obj["name"], node),
            "metadata": {
                "creationTimestamp": ts(t),
                "name": name,
                "namespace": ns,
                "resourceVersion": rv(t, "event", name),
                "uid": make_uid("event", ns, name),
            },
            "reason": "Scheduled",
            "reportingComponent": "default-scheduler",
            "reportingInstance": "default-scheduler-" + CONTROL_PLANE_HOST,
            "source": {},
            "type": "Normal",
        })

    ten_hour_pods = sorted((r for r in rows if r["age"] == "10h"), key=lambda r: (r["ns"], r["name"]))
    for r in ten_hour_pods:
        ns = r["ns"]
        o = owners[(ns, r["owner"])]
        rs_ref = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": o["name"], "namespace": ns,
                  "resourceVersion": rv(r["created"] - timedelta(seconds=1), "rs-at", ns, o["name"]),
                  "uid": o["uid"]}
        pod_ref = {"apiVersion": "v1", "kind": "Pod", "name": r["name"], "namespace": ns,
                   "resourceVersion": r["pod_rv_created"], "uid": r["uid"]}
        C = r["created"]
        def ms(lo, hi, what):
            return timedelta(microseconds=pick(lo * 1000, hi * 1000, "evt", r["name"], what))
        legacy_event(ns, rs_ref, "SuccessfulCreate", "Created pod: %s" % r["name"], C + ms(2, 15, "create"),
                     "replicaset-controller")
        scheduler_event(ns, pod_ref, r["node"], C)
        fp = "spec.containers{%s}" % r["app"]
        pulled = r["started"] - timedelta(seconds=1)
        legacy_event(ns, pod_ref, "Pulled",
                     'Container image "%s" already present on machine and can be accessed by the pod' % r["image"],
                     pulled + ms(100, 300, "pulled"), "kubelet", r["node"], fp)
        legacy_event(ns, pod_ref, "Created", "Container created", pulled + ms(500, 900, "created"),
                     "kubelet", r["node"], fp)
        legacy_event(ns, pod_ref, "Started", "Container started", r["started"] + ms(40, 200, "started"),
                     "kubelet", r["node"], fp)

    # pigo-dev/pigo-cron scaled 1 -> 0 -> 1
    cron_rss, cron_duid, cron_deploy = deployments[(ERROR_POD[0], "pigo-cron")]
    cron_rs = cron_rss[0]
    dep_ref = {"apiVersion": "apps/v1", "kind": "Deployment", "name": "pigo-cron", "namespace": "pigo-dev",
               "resourceVersion": rv(cron_scaled_down, "deploy-scale", "pigo-cron"), "uid": cron_duid}
    rs_ref = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": cron_rs["name"], "namespace": "pigo-dev",
              "resourceVersion": rv(cron_scaled_down, "rs-scale", cron_rs["name"]), "uid": cron_rs["uid"]}
    legacy_event("pigo-dev", dep_ref, "ScalingReplicaSet",
                 "Scaled down replica set %s from 1 to 0" % cron_rs["name"],
                 cron_scaled_down + timedelta(microseconds=412_305), "deployment-controller")
    legacy_event("pigo-dev", rs_ref, "SuccessfulDelete", "Deleted pod: %s" % CRON_DELETED_POD,
                 cron_scaled_down + timedelta(microseconds=431_877), "replicaset-controller")
    dep_ref2 = dict(dep_ref, resourceVersion=rv(cron_new["created"], "deploy-scale-up", "pigo-cron"))
    legacy_event("pigo-dev", dep_ref2, "ScalingReplicaSet",
                 "Scaled up replica set %s from 0 to 1" % cron_rs["name"],
                 cron_new["created"] - timedelta(microseconds=18_644), "deployment-controller")

    events.sort(key=lambda e: (e["metadata"]["namespace"], e["metadata"]["name"]))
    for e in events:  # none about the two problem pods
        assert e["involvedObject"]["name"] not in (ERROR_POD[1], COMPLETED_POD[1])
        t = e["eventTime"] or e["lastTimestamp"]
        assert t < ts(NOW)

    # --- Nodes -----------------------------------------------------------------------------
    nodes = []
    for n in node_names:
        role, env, ip, cpu, mem_ki, disk_ki, octet3 = node_profile(n)
        created = sec(NOW - timedelta(days=pick(420, 780, "node-age", n), seconds=pick(0, 86399, "node-s", n)))
        booted = sec(NOW - timedelta(days=pick(140, 160, "boot", n), seconds=pick(0, 86399, "boot-s", n)))
        booted = min(booted, min(r["created"] for r in rows if r["node"] == n) - timedelta(hours=1))
        # the kubelet was restarted by the upgrade to v1.37.2, one node after another
        kubelet_restart = sec(NOW - timedelta(days=21, hours=5) + timedelta(seconds=node_names.index(n) * 431
                                                                          + pick(0, 120, "upgrade", n)))
        heartbeat = sec(NOW - timedelta(seconds=pick(5, 290, "hb", n)))
        images = {}
        for r in rows:
            if r["node"] == n:
                images[r["image"]] = image_size(r["image"])
        images["harbor.pigo.local/k8s/pause:3.10"] = 320368
        image_list = sorted(
            ({"names": [image_id(i), i], "sizeBytes": s} for i, s in images.items()),
            key=lambda x: (-x["sizeBytes"], x["names"][1]),
        )

        def ncond(ctype, status, reason, message):
            return {"lastHeartbeatTime": ts(heartbeat), "lastTransitionTime": ts(kubelet_restart),
                    "message": message, "reason": reason, "status": status, "type": ctype}

        alloc_mem = "%dKi" % (mem_ki - 102400)
        alloc_disk = str(disk_ki * 1024 * 9 // 10)
        nodes.append({
            "apiVersion": "v1",
            "kind": "Node",
            "metadata": {
                "annotations": {
                    "kubeadm.alpha.kubernetes.io/cri-socket": "unix:///var/run/containerd/containerd.sock",
                    "node.alpha.kubernetes.io/ttl": "0",
                    "volumes.kubernetes.io/controller-managed-attach-detach": "true",
                },
                "creationTimestamp": ts(created),
                "labels": {
                    "beta.kubernetes.io/arch": "amd64",
                    "beta.kubernetes.io/os": "linux",
                    "kubernetes.io/arch": "amd64",
                    "kubernetes.io/hostname": n,
                    "kubernetes.io/os": "linux",
                    "node-role.kubernetes.io/" + role: "",
                    "pigo.local/env": env,
                },
                "name": n,
                "resourceVersion": rv(heartbeat, "node", n),
                "uid": node_uid[n],
            },
            "spec": {
                "podCIDR": "10.244.%d.0/24" % octet3,
                "podCIDRs": ["10.244.%d.0/24" % octet3],
            },
            "status": {
                "addresses": [{"address": ip, "type": "InternalIP"}, {"address": n, "type": "Hostname"}],
                "allocatable": {
                    "cpu": str(cpu),
                    "ephemeral-storage": alloc_disk,
                    "hugepages-1Gi": "0",
                    "hugepages-2Mi": "0",
                    "memory": alloc_mem,
                    "pods": "110",
                },
                "capacity": {
                    "cpu": str(cpu),
                    "ephemeral-storage": "%dKi" % disk_ki,
                    "hugepages-1Gi": "0",
                    "hugepages-2Mi": "0",
                    "memory": "%dKi" % mem_ki,
                    "pods": "110",
                },
                "conditions": [
                    ncond("MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available"),
                    ncond("DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure"),
                    ncond("PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available"),
                    ncond("Ready", "True", "KubeletReady", "kubelet is posting ready status"),
                ],
                "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}},
                "features": {"supplementalGroupsPolicy": True},
                "images": image_list,
                "nodeInfo": {
                    "architecture": "amd64",
                    "bootID": make_uid("boot", n, ts(booted)),
                    "containerRuntimeVersion": "containerd://2.1.4",
                    "kernelVersion": "5.15.0-153-generic",
                    "kubeProxyVersion": "",
                    "kubeletVersion": "v1.37.2",
                    "machineID": digest("machine", n)[:32],
                    "operatingSystem": "linux",
                    "osImage": "Ubuntu 22.04.5 LTS",
                    "systemUUID": make_uid("system", n).upper(),
                },
                "runtimeHandlers": [
                    {"features": {"recursiveReadOnlyMounts": True, "userNamespaces": True}, "name": "runc"},
                    {"features": {"recursiveReadOnlyMounts": True, "userNamespaces": True}, "name": ""},
                ],
            },
        })

    # kubectl's order for this command: each resource type in turn, each list in etcd key order.
    def key(o):
        return (o["metadata"].get("namespace", ""), o["metadata"]["name"])

    items = (sorted(pods, key=key) + sorted(replicasets, key=key) + sorted(deploy_objs, key=key)
             + [statefulset] + events + sorted(nodes, key=key))
    return {"apiVersion": "v1", "items": items, "kind": "List", "metadata": {"resourceVersion": ""}}, rows


def verify(doc, rows):
    items = doc["items"]
    pods = [i for i in items if i["kind"] == "Pod"]
    per_ns = {}
    for p in pods:
        per_ns[p["metadata"]["namespace"]] = per_ns.get(p["metadata"]["namespace"], 0) + 1
    assert per_ns == {"pigo-dev": 14, "pigo-stg": 18, "pigo-rel": 16}, per_ns
    seed = {(r["ns"], r["name"]): r for r in rows}
    for p in pods:
        r = seed[(p["metadata"]["namespace"], p["metadata"]["name"])]
        created = datetime.strptime(p["metadata"]["creationTimestamp"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
        assert human_duration(NOW - created) == r["age"], p["metadata"]["name"]
        assert p["spec"]["nodeName"] == r["node"]
        assert kubectl_columns(p) == (r["status"], r["ready"], r["restarts"])
    uids = [i["metadata"]["uid"] for i in items]
    assert len(uids) == len(set(uids))
    # every owner reference resolves, with the right uid
    by_kind = {(i["kind"], i["metadata"].get("namespace"), i["metadata"]["name"]): i for i in items}
    for i in items:
        for ref in i["metadata"].get("ownerReferences", []):
            owner = by_kind[(ref["kind"], i["metadata"]["namespace"], ref["name"])]
            assert owner["metadata"]["uid"] == ref["uid"]
            sel = owner["spec"]["selector"]["matchLabels"]
            assert all(i["metadata"]["labels"].get(k) == v for k, v in sel.items()), i["metadata"]["name"]
    # owners and nodes predate what they own / host
    by_uid = {i["metadata"]["uid"]: i for i in items}
    nodes = {i["metadata"]["name"]: i for i in items if i["kind"] == "Node"}
    for i in items:
        for ref in i["metadata"].get("ownerReferences", []):
            assert by_uid[ref["uid"]]["metadata"]["creationTimestamp"] <= i["metadata"]["creationTimestamp"]
        if i["kind"] == "Pod":
            assert nodes[i["spec"]["nodeName"]]["metadata"]["creationTimestamp"] < i["metadata"]["creationTimestamp"]
    # nodes are exactly the pods' nodes
    assert {i["metadata"]["name"] for i in items if i["kind"] == "Node"} == {p["spec"]["nodeName"] for p in pods}
    # kubectl's kind order
    order = ["Pod", "ReplicaSet", "Deployment", "StatefulSet", "Event", "Node"]
    kinds = [order.index(i["kind"]) for i in items]
    assert kinds == sorted(kinds)
    # nothing happens after NOW; creation comes first
    def walk(x):
        if isinstance(x, dict):
            for v in x.values():
                yield from walk(v)
        elif isinstance(x, list):
            for v in x:
                yield from walk(v)
        elif isinstance(x, str) and len(x) >= 20 and x[4] == "-" and x[10] == "T" and x.endswith("Z"):
            yield x
    for i in items:
        created = i["metadata"]["creationTimestamp"]
        for t in walk(i):
            assert t[:19] <= ts(NOW)[:19], (i["metadata"]["name"], t)
            if i["kind"] not in ("Event", "Node"):
                assert t[:19] >= created[:19], (i["metadata"]["name"], t)


def main():
    root = Path(__file__).resolve().parent.parent
    out = sys.argv[1] if len(sys.argv) > 1 else str(root / "examples" / "seed-cluster.json")
    doc, rows = build()
    verify(doc, rows)
    text = json.dumps(doc, indent=4, sort_keys=True, ensure_ascii=False) + "\n"
    for bad in ("<", ">", "&"):  # Go's encoder would escape these; keep the bytes kubectl-identical
        assert bad not in text, bad
    if out == "-":
        sys.stdout.write(text)
    else:
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(text, encoding="utf-8")
        counts = {}
        for i in doc["items"]:
            counts[i["kind"]] = counts.get(i["kind"], 0) + 1
        print("wrote %s: %d items %s" % (out, len(doc["items"]), counts), file=sys.stderr)


if __name__ == "__main__":
    main()
