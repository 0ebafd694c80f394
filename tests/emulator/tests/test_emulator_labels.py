# Copyright (c) Cloud Temple
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Global and project labels (/labels), as REAL-HARBOR.md's "Labels" describes them."""

from __future__ import annotations

from emulator_client import error_of, unique


def create_label(emulator, **body):
    response = emulator.post("/labels", json=body)
    assert response.status_code == 201, response.text
    return int(response.headers["Location"].rsplit("/", 1)[1])


def test_a_label_reads_back_without_its_empty_fields(emulator):
    name = unique("gold")
    ident = create_label(emulator, name=name, scope="g")
    label = emulator.get("/labels/%d" % ident).json()
    assert set(label) == {"id", "name", "scope", "creation_time", "update_time"}
    ident = create_label(emulator, name=name + "-c", scope="g", color="#48960C", description="Approved")
    label = emulator.get("/labels/%d" % ident).json()
    assert (label["color"], label["description"]) == ("#48960C", "Approved")


def test_a_name_is_unique_per_scope_and_project_and_case_sensitive(emulator):
    name = unique("dup")
    project, project_id = emulator.create_project()
    create_label(emulator, name=name, scope="g")
    assert error_of(emulator.post("/labels", json={"name": name, "scope": "g"})) == (
        "CONFLICT", "label %s already exists" % name)
    create_label(emulator, name=name.upper(), scope="g")
    create_label(emulator, name=name, scope="p", project_id=project_id)
    assert emulator.post("/labels", json={"name": name, "scope": "p", "project_id": project_id}).status_code == 409
    assert project


def test_what_harbor_leaves_unchecked_and_what_it_refuses(emulator):
    create_label(emulator, name=unique("red"), scope="g", color="red")
    create_label(emulator, name="", scope="g", description=unique("nameless"))
    create_label(emulator, name=unique("orphan"), scope="p")
    create_label(emulator, name=unique("orphan"), scope="p", project_id=999999)
    assert error_of(emulator.post("/labels", json={"name": unique("s"), "scope": "x"})) == (
        "BAD_REQUEST", "unsupported label scope")
    assert emulator.post("/labels", json={"name": "x" * 129, "scope": "g"}).status_code == 500


def test_the_list_needs_a_scope_and_a_project_for_project_labels(emulator):
    _project, project_id = emulator.create_project()
    name = unique("pci")
    create_label(emulator, name=name, scope="p", project_id=project_id)
    create_label(emulator, name=name + "-old", scope="p", project_id=project_id)
    assert error_of(emulator.get("/labels")) == ("BAD_REQUEST", "invalid scope: ")
    assert error_of(emulator.get("/labels?scope=p")) == (
        "BAD_REQUEST", "must with project ID when to query project labels")
    listed = emulator.get("/labels?scope=p&project_id=%d&name=%s" % (project_id, name.upper()))
    assert sorted(label["name"] for label in listed.json()) == [name, name + "-old"]
    assert listed.json()[0]["project_id"] == project_id
    assert name not in [label["name"] for label in emulator.get("/labels?scope=g&name=" + name).json()]


def test_put_replaces_name_description_and_colour_and_ignores_the_scope(emulator):
    name = unique("put")
    ident = create_label(emulator, name=name, scope="g", color="#48960C", description="Approved")
    assert error_of(emulator.put("/labels/%d" % ident, json={"color": "#000000"})) == ("BAD_REQUEST", "cannot be empty")
    assert emulator.put("/labels/%d" % ident, json={"name": name, "color": "#0095D3", "scope": "p"}).status_code == 200
    label = emulator.get("/labels/%d" % ident).json()
    assert label["scope"] == "g" and label["color"] == "#0095D3" and "description" not in label


def test_project_labels_need_project_rights_and_global_ones_a_sysadmin(emulator):
    project, project_id = emulator.create_project()
    username, creds = emulator.add_user()
    assert error_of(emulator.post("/labels", json={"name": unique("g"), "scope": "g"}, auth=creds))[0] == "FORBIDDEN"
    assert emulator.post("/labels", json={"name": unique("p"), "scope": "p", "project_id": project_id},
                         auth=creds).status_code == 403
    assert emulator.get("/labels?scope=g", auth=creds).status_code == 200
    assert project and username


def test_delete_then_again(emulator):
    ident = create_label(emulator, name=unique("del"), scope="g")
    assert emulator.delete("/labels/%d" % ident).status_code == 200
    assert emulator.delete("/labels/%d" % ident).status_code == 404
