#!/usr/bin/env python3
"""Realistic pods for benchmarks: shaped like a real cluster's (two containers, env, probes,
volumes, annotations with a last-applied configuration, five conditions, full container
statuses), about 11 KiB each as kubectl prints them and about 20 KiB as the API serves them
(managed fields included). 1% of them crash-loop. Deterministic.

    realistic_pods.py dump PODS NAMESPACES > dump.json
        a kubectl-style dump (`kubectl get pods,replicasets,deployments,nodes -A -o json`: no
        managed fields, items in the API's order), with a ReplicaSet and a Deployment per app
        and three nodes per 100 pods (at most 300)
    realistic_pods.py load PODS NAMESPACES SERVER TOKEN CA_FILE
        creates the same nodes, namespaces, Deployments, ReplicaSets and pods in a real API server
        (statuses through the status subresource, as a kubelet would; no controller runs, so
        nothing else changes them), 16 requests at a time; prints progress on stderr
"""
import http.client
import json
import ssl
import sys
import threading
import urllib.parse
import zlib
from concurrent.futures import ThreadPoolExecutor

NOW = "2025-12-26T02:00:00Z"
CREATED = "2025-11-01T00:00:00Z"


def names(i, namespaces):
    ns = f"team-{i % namespaces:03d}"
    app = f"svc-{(i // namespaces) % 50:02d}"
    return ns, app, f"{app}-5f46454c7b-{i:06d}"


def env(app):
    values = [{"name": f"{app.upper().replace('-', '_')}_SETTING_{k:02d}",
               "value": f"value-{k}-" + "x" * 24} for k in range(24)]
    values += [
        {"name": "POD_NAME", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.name"}}},
        {"name": "POD_IP", "valueFrom": {"fieldRef": {"apiVersion": "v1", "fieldPath": "status.podIP"}}},
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": f"{app}-db", "key": "password"}}},
    ]
    return values


def container(name, image, port):
    probe = {"httpGet": {"path": "/healthz", "port": port, "scheme": "HTTP"},
             "initialDelaySeconds": 10, "periodSeconds": 10, "timeoutSeconds": 1,
             "successThreshold": 1, "failureThreshold": 3}
    return {
        "name": name, "image": image, "imagePullPolicy": "IfNotPresent",
        "args": ["--config=/etc/app/config.yaml", "--log-level=info", "--metrics-port=9090"],
        "env": env(name),
        "ports": [{"name": "http", "containerPort": port, "protocol": "TCP"},
                  {"name": "metrics", "containerPort": 9090, "protocol": "TCP"}],
        "resources": {"limits": {"cpu": "1", "memory": "512Mi"},
                      "requests": {"cpu": "100m", "memory": "256Mi"}},
        "livenessProbe": probe, "readinessProbe": probe,
        "volumeMounts": [{"name": "config", "mountPath": "/etc/app"},
                         {"name": "data", "mountPath": "/var/lib/app"},
                         {"name": "kube-api-access-x7k2p", "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount",
                          "readOnly": True}],
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File",
        "securityContext": {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True,
                            "runAsNonRoot": True, "capabilities": {"drop": ["ALL"]}},
    }


def spec(i, app):
    return {
        "nodeName": f"node-{i % 300:03d}", "restartPolicy": "Always", "dnsPolicy": "ClusterFirst",
        "schedulerName": "default-scheduler", "serviceAccountName": app, "serviceAccount": app,
        "terminationGracePeriodSeconds": 30, "priority": 0, "enableServiceLinks": True,
        "preemptionPolicy": "PreemptLowerPriority",
        "securityContext": {"fsGroup": 2000, "runAsUser": 1000},
        "containers": [container(app, f"registry.example.com/team/{app}:1.42.{i % 7}", 8080),
                       container("log-shipper", "registry.example.com/infra/fluent-bit:3.1", 2020)],
        "volumes": [
            {"name": "config", "configMap": {"name": f"{app}-config", "defaultMode": 420}},
            {"name": "data", "emptyDir": {"sizeLimit": "1Gi"}},
            {"name": "kube-api-access-x7k2p", "projected": {"defaultMode": 420, "sources": [
                {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
                {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
                {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1",
                                                                              "fieldPath": "metadata.namespace"}}]}}]}},
        ],
        "tolerations": [
            {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
            {"key": "node.kubernetes.io/unreachable", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300},
        ],
    }


def metadata(i, ns, app, name):
    last_applied = json.dumps({"apiVersion": "apps/v1", "kind": "Deployment",
                               "metadata": {"name": app, "namespace": ns},
                               "spec": {"template": {"spec": {"containers": [{"name": app, "env": env(app)[:12]}]}}}})
    return {
        "name": name, "namespace": ns, "generateName": f"{app}-5f46454c7b-",
        "labels": {"app": app, "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "platform",
                   "app.kubernetes.io/version": "1.42", "pod-template-hash": "5f46454c7b", "team": ns},
        "annotations": {"prometheus.io/scrape": "true", "prometheus.io/port": "9090",
                        "checksum/config": "4f1c2b8e" * 8,
                        "kubectl.kubernetes.io/last-applied-configuration": last_applied},
        "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": f"{app}-5f46454c7b",
                             "uid": f"0000{i % 50:04d}-0000-4000-8000-{zlib.crc32(ns.encode()):012d}",
                             "controller": True, "blockOwnerDeletion": True}],
    }


def status(i, app, failing):
    def cs(name, ready):
        s = {"name": name, "image": f"registry.example.com/team/{name}:1.42",
             "imageID": "registry.example.com/team/" + name + "@sha256:" + "ab" * 32,
             "containerID": "containerd://" + f"{i:08x}" * 8, "ready": ready, "started": ready,
             "restartCount": 12 if not ready else 0,
             "state": {"running": {"startedAt": "2025-11-01T00:01:00Z"}}}
        if not ready:
            s["state"] = {"waiting": {"reason": "CrashLoopBackOff",
                                      "message": f"back-off 5m0s restarting failed container={name}"}}
            s["lastState"] = {"terminated": {"exitCode": 1, "reason": "Error", "startedAt": "2025-12-26T01:50:00Z",
                                             "finishedAt": "2025-12-26T01:55:00Z",
                                             "containerID": "containerd://" + "cd" * 32}}
        return s
    ready = "False" if failing else "True"
    return {
        "phase": "Running", "qosClass": "Burstable", "startTime": CREATED,
        "hostIP": f"192.168.{i % 300 // 256}.{i % 256}", "hostIPs": [{"ip": f"192.168.{i % 300 // 256}.{i % 256}"}],
        "podIP": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}",
        "podIPs": [{"ip": f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}"}],
        "conditions": [
            {"type": "PodReadyToStartContainers", "status": "True", "lastProbeTime": None, "lastTransitionTime": CREATED},
            {"type": "Initialized", "status": "True", "lastProbeTime": None, "lastTransitionTime": CREATED},
            {"type": "Ready", "status": ready, "lastProbeTime": None, "lastTransitionTime": "2025-11-01T00:02:00Z"},
            {"type": "ContainersReady", "status": ready, "lastProbeTime": None, "lastTransitionTime": "2025-11-01T00:02:00Z"},
            {"type": "PodScheduled", "status": "True", "lastProbeTime": None, "lastTransitionTime": CREATED},
        ],
        "containerStatuses": [cs(app, not failing), cs("log-shipper", True)],
    }


def pod(i, namespaces):
    ns, app, name = names(i, namespaces)
    failing = i % 100 == 7
    meta = metadata(i, ns, app, name)
    meta["creationTimestamp"] = CREATED
    return {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec(i, app),
            "status": status(i, app, failing)}


def replica_set(ns, app):
    return {"apiVersion": "apps/v1", "kind": "ReplicaSet",
            "metadata": {"name": f"{app}-5f46454c7b", "namespace": ns, "creationTimestamp": CREATED,
                         "annotations": {"deployment.kubernetes.io/revision": "3"},
                         "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": app,
                                              "uid": "d", "controller": True}]},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": app, "pod-template-hash": "5f46454c7b"}}},
            "status": {"replicas": 2, "readyReplicas": 2}}


def deployment(ns, app):
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": app, "namespace": ns, "creationTimestamp": CREATED},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": app}}},
            "status": {"replicas": 2, "readyReplicas": 2}}


def node(n):
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"node-{n:03d}"},
            "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "KubeletReady",
                                       "lastHeartbeatTime": NOW, "lastTransitionTime": CREATED}],
                       "nodeInfo": {"kubeletVersion": "v1.37.2"}}}


def with_template(workload):
    """A workload as the API server takes it: with a pod template its selector matches."""
    labels = workload["spec"]["selector"]["matchLabels"]
    app = labels["app"]
    workload["spec"]["template"] = {"metadata": {"labels": labels},
                                    "spec": {"containers": [{"name": app, "image": f"registry.example.com/team/{app}:1.42"}]}}
    return workload


def dump(pods, namespaces):
    """Items in the order `kubectl get pods,replicasets,deployments,nodes -A -o json` prints
    them: by kind, then namespace and name, as the API server lists them."""
    out = sys.stdout
    out.write('{"apiVersion": "v1", "kind": "List", "items": [')
    order = sorted(range(pods), key=lambda i: names(i, namespaces)[::2])
    apps = sorted({names(i, namespaces)[:2] for i in range(pods)})
    items = [lambda i=i: pod(i, namespaces) for i in order]
    items += [lambda a=a: replica_set(*a) for a in apps]
    items += [lambda a=a: deployment(*a) for a in apps]
    items += [lambda n=n: node(n) for n in range(min(300, pods))]
    for k, item in enumerate(items):
        out.write(("" if k == 0 else ",\n") + json.dumps(item()))
    out.write('], "metadata": {"resourceVersion": ""}}\n')


def load(pods, namespaces, server, token, ca_file):
    url = urllib.parse.urlparse(server)
    context = ssl.create_default_context(cafile=ca_file)
    local = threading.local()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def request(method, path, body, content_type="application/json"):
        if not hasattr(local, "conn"):
            local.conn = http.client.HTTPSConnection(url.hostname, url.port, context=context)
        h = dict(headers, **{"Content-Type": content_type})
        for attempt in range(5):
            try:
                local.conn.request(method, path, body=json.dumps(body), headers=h)
                response = local.conn.getresponse()
                data = response.read()
                if response.status >= 300 and response.status != 409:
                    raise RuntimeError(f"{method} {path}: {response.status} {data[:200]!r}")
                return
            except (http.client.HTTPException, OSError):
                local.conn = http.client.HTTPSConnection(url.hostname, url.port, context=context)
        raise RuntimeError(f"{method} {path}: no answer")

    for n in range(min(300, pods)):
        request("POST", "/api/v1/nodes", {"apiVersion": "v1", "kind": "Node", "metadata": node(n)["metadata"]})
        request("PATCH", f"/api/v1/nodes/node-{n:03d}/status", {"status": node(n)["status"]},
                "application/merge-patch+json")
    for n in range(namespaces):
        request("POST", "/api/v1/namespaces", {"metadata": {"name": f"team-{n:03d}"}})

    def workloads(ns_app):
        ns, app = ns_app
        for make in (deployment, replica_set):
            w = with_template(make(ns, app))
            meta = {k: v for k, v in w["metadata"].items() if k != "creationTimestamp"}
            plural = w["kind"].lower() + "s"
            request("POST", f"/apis/apps/v1/namespaces/{ns}/{plural}",
                    {"apiVersion": "apps/v1", "kind": w["kind"], "metadata": meta, "spec": w["spec"]})

    def one(i):
        p = pod(i, namespaces)
        ns, name = p["metadata"]["namespace"], p["metadata"]["name"]
        meta = dict(p["metadata"])
        meta.pop("creationTimestamp")
        request("POST", f"/api/v1/namespaces/{ns}/pods?fieldManager=kube-controller-manager",
                {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": p["spec"]})
        request("PATCH", f"/api/v1/namespaces/{ns}/pods/{name}/status?fieldManager=kubelet",
                {"status": p["status"]}, "application/merge-patch+json")
        if i % 1000 == 999:
            print(f"loaded {i + 1} pods", file=sys.stderr, flush=True)

    with ThreadPoolExecutor(16) as pool:
        list(pool.map(workloads, sorted({names(i, namespaces)[:2] for i in range(pods)})))
        list(pool.map(one, range(pods)))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "dump":
        dump(int(sys.argv[2]), int(sys.argv[3]))
    elif mode == "load":
        load(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5], sys.argv[6])
    else:
        sys.exit(__doc__)
