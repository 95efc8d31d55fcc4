#!/usr/bin/env python3
"""Renders a kustomization offline, for deploy/lint.sh (kubectl/kustomize are not in Debian 12).

Implements only the subset Parity's manifests use, and refuses any other kustomization field so a
render is never silently wrong: resources (files and directories, relative paths only: kustomize refuses
an absolute one, "new root ... cannot be absolute", and so does this), namespace,
labels (metadata only), images, and patches given by path as strategic-merge patches matched by
kind, name and namespace. Strategic merge here: maps merge recursively; lists of maps that all carry
a `name` merge item by item (containers, env, ports, volumes); any other list is replaced, which is
what Kubernetes does for lists without a patch merge key (Ingress rules, tls).

usage: kustomize_render.py DIR  -> multi-document YAML on stdout; exit 1 with a message on error.
"""
import copy
import os
import sys

import yaml

SUPPORTED_FIELDS = {"apiVersion", "kind", "resources", "namespace", "labels", "images", "patches"}
CLUSTER_SCOPED_KINDS = {"Namespace", "ClusterRole", "ClusterRoleBinding", "PersistentVolume",
                        "StorageClass", "CustomResourceDefinition", "IngressClass",
                        "PriorityClass"}
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")


class RenderError(Exception):
    pass


def load_docs(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def find_kustomization(directory):
    for name in KUSTOMIZATION_NAMES:
        p = os.path.join(directory, name)
        if os.path.isfile(p):
            return p
    raise RenderError(f"{directory}: no kustomization.yaml")


def resource_id(obj):
    meta = obj.get("metadata") or {}
    return (obj.get("kind"), meta.get("namespace"), meta.get("name"))


def is_named_map_list(value):
    return bool(value) and all(isinstance(i, dict) and "name" in i for i in value)


def strategic_merge(base, patch):
    """Returns base with patch merged in (neither argument is modified)."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = copy.deepcopy(base)
        for key, value in patch.items():
            if value is None:
                out.pop(key, None)
            elif key in out:
                out[key] = strategic_merge(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
        return out
    if isinstance(base, list) and isinstance(patch, list) and is_named_map_list(base) \
            and is_named_map_list(patch):
        out = copy.deepcopy(base)
        index = {item["name"]: i for i, item in enumerate(out)}
        for item in patch:
            if item["name"] in index:
                out[index[item["name"]]] = strategic_merge(out[index[item["name"]]], item)
            else:
                out.append(copy.deepcopy(item))
        return out
    return copy.deepcopy(patch)


def pod_specs(obj):
    """Yields every PodSpec inside a workload object."""
    spec = obj.get("spec") or {}
    kind = obj.get("kind")
    if kind == "Pod":
        yield spec
    elif kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"):
        yield (spec.get("template") or {}).get("spec") or {}
    elif kind == "CronJob":
        job = (spec.get("jobTemplate") or {}).get("spec") or {}
        yield (job.get("template") or {}).get("spec") or {}


def split_image(image):
    """'reg/name:tag' -> ('reg/name', ':tag'); digests are kept with their '@'."""
    if "@" in image:
        name, digest = image.split("@", 1)
        return name, "@" + digest
    slash = image.rfind("/")
    colon = image.rfind(":")
    if colon > slash:
        return image[:colon], image[colon:]
    return image, ""


def apply_images(objs, images):
    for rule in images:
        unknown = set(rule) - {"name", "newName", "newTag", "digest"}
        if unknown:
            raise RenderError(f"images: unsupported keys {sorted(unknown)}")
        for obj in objs:
            for pod in pod_specs(obj):
                for group in ("initContainers", "containers"):
                    for c in pod.get(group) or []:
                        name, suffix = split_image(c.get("image", ""))
                        if name != rule["name"]:
                            continue
                        name = rule.get("newName", name)
                        if "digest" in rule:
                            suffix = "@" + rule["digest"]
                        elif "newTag" in rule:
                            suffix = ":" + str(rule["newTag"])
                        c["image"] = name + suffix


def apply_labels(objs, label_sets):
    for entry in label_sets:
        unknown = set(entry) - {"pairs", "includeSelectors"}
        if unknown or entry.get("includeSelectors"):
            raise RenderError("labels: only `pairs` with includeSelectors false is supported")
        for obj in objs:
            obj.setdefault("metadata", {}).setdefault("labels", {}).update(entry["pairs"])


def render(directory, stack=()):
    directory = os.path.abspath(directory)
    if directory in stack:
        raise RenderError(f"{directory}: kustomization cycle")
    kfile = find_kustomization(directory)
    k = load_docs(kfile)[0]
    unknown = set(k) - SUPPORTED_FIELDS
    if unknown:
        raise RenderError(f"{kfile}: unsupported fields {sorted(unknown)} (extend the renderer)")
    objs = []
    for res in k.get("resources") or []:
        if os.path.isabs(res):
            raise RenderError(f"{kfile}: resource {res}: new root cannot be absolute (kustomize refuses it)")
        path = os.path.join(directory, res)
        if os.path.isdir(path):
            objs.extend(render(path, stack + (directory,)))
        elif os.path.isfile(path):
            objs.extend(load_docs(path))
        else:
            raise RenderError(f"{kfile}: resource {res} not found")
    if "namespace" in k:
        for obj in objs:
            if obj.get("kind") not in CLUSTER_SCOPED_KINDS:
                obj.setdefault("metadata", {})["namespace"] = k["namespace"]
    apply_labels(objs, k.get("labels") or [])
    for p in k.get("patches") or []:
        if set(p) != {"path"}:
            raise RenderError(f"{kfile}: only `patches: - path:` (strategic merge) is supported")
        for patch in load_docs(os.path.join(directory, p["path"])):
            pid = resource_id(patch)
            matches = [i for i, o in enumerate(objs)
                       if resource_id(o)[0] == pid[0] and resource_id(o)[2] == pid[2]
                       and (pid[1] is None or resource_id(o)[1] == pid[1])]
            if len(matches) != 1:
                raise RenderError(f"{kfile}: patch {p['path']} matches {len(matches)} resources")
            objs[matches[0]] = strategic_merge(objs[matches[0]], patch)
    apply_images(objs, k.get("images") or [])
    seen = set()
    for obj in objs:
        rid = resource_id(obj)
        if rid in seen:
            raise RenderError(f"{kfile}: duplicate resource {rid}")
        seen.add(rid)
    return objs


def main(argv):
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    try:
        objs = render(argv[1])
    except (RenderError, OSError, yaml.YAMLError) as e:
        print(f"kustomize_render: {e}", file=sys.stderr)
        return 1
    yaml.safe_dump_all(objs, sys.stdout, sort_keys=False, default_flow_style=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
