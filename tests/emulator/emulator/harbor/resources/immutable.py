# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Immutable tag rules of a project, and the matcher that protects tags.

Harbor: src/server/v2.0/handler/immutable.go, src/controller/immutable/controller.go,
src/pkg/immutable/manager.go, src/pkg/immutable/dao/dao.go, src/pkg/immutable/model/rule.go,
src/pkg/immutable/match/rule/match.go.

Harbor stores each rule as the JSON of its model (``tag_filter``) with a
unique index on (project, tag_filter), and the ``disabled`` flag in its
own column.  Hence: creating a rule identical to an existing one is a
409, the ``disabled`` of a create is ignored, and a PUT whose ``disabled``
differs from the stored one only toggles the flag, ignoring every other
change.  There is no GET of one rule (405).  ``params`` and selector
``extras`` are not part of the model and are dropped.
"""

from __future__ import annotations

import json

from .. import core, doublestar

SELECTOR = {"type": "object", "properties": {
    "kind": {"type": "string"}, "decoration": {"type": "string"}, "pattern": {"type": "string"},
    "extras": {"type": "string"}}}
RULE_SCHEMA = {"type": "object", "properties": {
    "id": {"type": "integer"}, "priority": {"type": "integer"}, "disabled": {"type": "boolean"},
    "action": {"type": "string"}, "template": {"type": "string"}, "params": {"type": "object"},
    "tag_selectors": {"type": "array", "items": SELECTOR},
    "scope_selectors": {"type": "object", "additionalProperties": {"type": "array", "items": SELECTOR}},
}}
RULE_FIELDS = {"id": lambda rule: rule["id"], "disabled": lambda rule: rule["disabled"],
               "project_id": lambda rule: rule["project_id"]}


def _selector_model(selector):
    """rule.Selector keeps kind, decoration and pattern only."""
    selector = selector if isinstance(selector, dict) else {}
    return {"kind": selector.get("kind") or "", "decoration": selector.get("decoration") or "",
            "pattern": selector.get("pattern") or ""}


def rule_model(body, rule_id, project_id):
    """model.Metadata as the handler's JSONCopy fills it, in Go's field order."""
    tag_selectors = body.get("tag_selectors")
    scope_selectors = body.get("scope_selectors")
    return {
        "id": rule_id, "project_id": project_id, "disabled": bool(body.get("disabled")),
        "priority": body.get("priority") or 0, "action": body.get("action") or "",
        "template": body.get("template") or "",
        "tag_selectors": None if tag_selectors is None else [_selector_model(s) for s in tag_selectors],
        "scope_selectors": None if scope_selectors is None else {
            key: None if value is None else [_selector_model(s) for s in value]
            for key, value in sorted(scope_selectors.items())},
    }


def tag_filter(model):
    return json.dumps(model, separators=(",", ":"))


def rule_to_json(rule):
    """ToSwagger: zero values are omitted."""
    model = json.loads(rule["tag_filter"])
    body = {
        "id": rule["id"], "priority": model.get("priority"), "disabled": rule["disabled"],
        "action": model.get("action"), "template": model.get("template"),
        "scope_selectors": {key: [{k: v for k, v in s.items() if v} for s in value or []]
                            for key, value in (model.get("scope_selectors") or {}).items()},
        "tag_selectors": [{k: v for k, v in s.items() if v} for s in model.get("tag_selectors") or []],
    }
    return {key: value for key, value in body.items() if value not in (None, "", 0, False, [], {})}


def rules_of(state, project_id):
    return [rule for rule in state.rows("immutable_rules") if rule["project_id"] == project_id]


def rule_protects(rule, repository, tags):
    """match.go for one enabled rule: its first repository selector, then its first tag selector (no untagged)."""
    model = json.loads(rule["tag_filter"])
    repository_selectors = (model.get("scope_selectors") or {}).get("repository") or []
    tag_selectors = model.get("tag_selectors") or []
    if not repository_selectors or not tag_selectors:
        return False
    try:
        return (doublestar.repository_selected(repository_selectors[0]["decoration"], repository_selectors[0]["pattern"],
                                               repository)
                and doublestar.tag_selected(tag_selectors[0]["decoration"], tag_selectors[0]["pattern"], False, tags))
    except doublestar.PatternError:
        return False  # Match's error is logged and the artifact counts as mutable


def artifact_is_immutable(state, project_id, repository, tags):
    """What retention asks before deleting an artifact (all its tags at once, possibly none)."""
    return any(rule_protects(rule, repository, tags) for rule in rules_of(state, project_id) if not rule["disabled"])


@core.immutable_matcher
def tag_is_immutable(state, project, repository, tag_name):
    return artifact_is_immutable(state, project["project_id"], repository, [tag_name])


@core.on_project_delete
def delete_project_rules(req, project):
    req.state.delete_where("immutable_rules", lambda rule: rule["project_id"] == project["project_id"])


def _rule_of_project(req, project):
    ident = core.path_int(req, "id")
    rule = req.state.get("immutable_rules", ident)
    if rule is None:
        raise core.not_found("immutable rule %d not found" % ident)
    if rule["project_id"] != project["project_id"]:
        raise core.not_found("resource not found: project id %d does not match" % project["project_id"])
    return rule


@core.route("GET", r"/projects/(?P<project>[^/]+)/immutabletagrules", paged=True, query={"q": "string", "sort": "string"})
def list_rules(req):
    _ref, project = core.project_param(req, "list", "immutable-tag")
    keywords = core.parse_q(req.arg("q"))
    rules = core.apply_filters(rules_of(req.state, project["project_id"]), keywords, RULE_FIELDS)
    rules = core.apply_sort(rules, core.parse_sort(req.arg("sort")), RULE_FIELDS, [("id", False)])
    # The manager re-sorts the page by id whatever was asked.
    page = sorted(core.page_slice(req, rules), key=lambda rule: rule["id"])
    return core.paged_response(req, [rule_to_json(rule) for rule in page], len(rules))


@core.route("POST", r"/projects/(?P<project>[^/]+)/immutabletagrules", body=RULE_SCHEMA, body_name="ImmutableRule")
def create_rule(req):
    state = req.state
    _ref, project = core.project_param(req, "create", "immutable-tag")
    body = req.body if isinstance(req.body, dict) else {}
    blob = tag_filter(rule_model(body, body.get("id") or 0, project["project_id"]))
    for rule in rules_of(state, project["project_id"]):
        if rule["tag_filter"] == blob:
            raise core.conflict("immutable rule already exists")
    # The DAO creates every rule enabled, whatever the request says.
    ident = state.insert("immutable_rules", {"project_id": project["project_id"], "tag_filter": blob, "disabled": False})
    return core.created(req, ident)


@core.route("PUT", r"/projects/(?P<project>[^/]+)/immutabletagrules/(?P<id>[^/]+)", body=RULE_SCHEMA,
            body_name="ImmutableRule")
def update_rule(req):
    state = req.state
    ident = core.path_int(req, "id")
    body = req.body if isinstance(req.body, dict) else {}
    if (body.get("id") or 0) != ident:
        raise core.bad_request(cause="the immutable_rule_id doesn't match the id in the payload body of ImmutableRule")
    _ref, project = core.project_param(req, "update", "immutable-tag")
    rule = _rule_of_project(req, project)
    wanted_disabled = bool(body.get("disabled"))
    if wanted_disabled != rule["disabled"]:
        # Only the flag changes; the selectors of this request are ignored.
        rule["disabled"] = wanted_disabled
        return core.ok()
    blob = tag_filter(rule_model(body, ident, project["project_id"]))
    for other in rules_of(state, project["project_id"]):
        if other["id"] != ident and other["tag_filter"] == blob:
            raise core.internal_error()  # the unique index fails outside the conflict mapping
    rule["tag_filter"] = blob
    return core.ok()


@core.route("DELETE", r"/projects/(?P<project>[^/]+)/immutabletagrules/(?P<id>[^/]+)")
def delete_rule(req):
    _ref, project = core.project_param(req, "delete", "immutable-tag")
    rule = _rule_of_project(req, project)
    req.state.delete("immutable_rules", rule["id"])
    return core.ok()
