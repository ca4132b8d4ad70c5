import { xml } from "@xmpp/xml";
import { describe, expect, it } from "vitest";
import { buildForm, formBoolean, readSubmittedForm } from "../../../src/adhoc/dataform.js";

const NS_DATA = "jabber:x:data";
const NS_VALIDATE = "http://jabber.org/protocol/xdata-validate";

describe("buildForm", () => {
  it("writes an empty form with only its type", () => {
    expect(buildForm({ type: "form", fields: [] }).toString()).toBe('<x xmlns="jabber:x:data" type="form"/>');
  });

  it("writes title and instructions before the fields", () => {
    expect(
      buildForm({
        type: "form",
        title: "Pick",
        instructions: "Choose one",
        fields: [{ var: "a", type: "text-single" }],
      }).toString(),
    ).toBe(
      '<x xmlns="jabber:x:data" type="form"><title>Pick</title><instructions>Choose one</instructions>' +
        '<field type="text-single" var="a"/></x>',
    );
  });

  it("puts the FORM_TYPE hidden field first", () => {
    const form = buildForm({ type: "submit", formType: "urn:example", fields: [{ var: "a", values: ["1"] }] });
    expect(form.getChildren("field").map((field) => field.attrs.var)).toEqual(["FORM_TYPE", "a"]);
    expect(form.toString()).toBe(
      '<x xmlns="jabber:x:data" type="submit">' +
        '<field type="hidden" var="FORM_TYPE"><value>urn:example</value></field>' +
        '<field var="a"><value>1</value></field></x>',
    );
  });

  it("leaves out attributes and children that are not given", () => {
    expect(buildForm({ type: "result", fields: [{ var: "plain" }] }).toString()).toBe(
      '<x xmlns="jabber:x:data" type="result"><field var="plain"/></x>',
    );
  });

  it("marks a required field with <required/> after its description", () => {
    const form = buildForm({
      type: "form",
      fields: [
        { var: "must", type: "text-single", label: "Must", desc: "Fill me", required: true },
        { var: "may", type: "text-single", required: false },
      ],
    });
    expect(form.toString()).toBe(
      '<x xmlns="jabber:x:data" type="form">' +
        '<field type="text-single" var="must" label="Must"><desc>Fill me</desc><required/></field>' +
        '<field type="text-single" var="may"/></x>',
    );
  });

  it("writes list-single options with their labels after the current value", () => {
    const form = buildForm({
      type: "form",
      fields: [
        {
          var: "expire",
          type: "list-single",
          label: "Valid for",
          values: ["86400"],
          options: [
            { label: "1 hour", value: "3600" },
            { label: "1 day", value: "86400" },
          ],
        },
      ],
    });
    expect(form.toString()).toBe(
      '<x xmlns="jabber:x:data" type="form">' +
        '<field type="list-single" var="expire" label="Valid for"><value>86400</value>' +
        '<option label="1 hour"><value>3600</value></option>' +
        '<option label="1 day"><value>86400</value></option></field></x>',
    );
  });

  it("adds a XEP-0122 integer range", () => {
    const form = buildForm({
      type: "form",
      fields: [{ var: "max-uses", type: "text-single", values: ["1"], integerRange: { min: 1, max: 100 } }],
    });
    expect(form.toString()).toBe(
      '<x xmlns="jabber:x:data" type="form"><field type="text-single" var="max-uses">' +
        `<validate xmlns="${NS_VALIDATE}" datatype="xs:integer"><range min="1" max="100"/></validate>` +
        "<value>1</value></field></x>",
    );
    const validate = form.getChild("field")?.getChild("validate", NS_VALIDATE);
    expect(validate?.attrs.datatype).toBe("xs:integer");
    expect(validate?.getChild("range")?.attrs).toEqual({ min: "1", max: "100" });
  });

  it("writes several values of a field in order", () => {
    const form = buildForm({ type: "result", fields: [{ var: "m", type: "text-multi", values: ["a", "b", ""] }] });
    expect(
      form
        .getChild("field")
        ?.getChildren("value")
        .map((value) => value.getText()),
    ).toEqual(["a", "b", ""]);
  });

  it("escapes text and attributes", () => {
    const form = buildForm({
      type: "form",
      instructions: "a < b & c",
      fields: [{ var: "q", label: 'say "hi"', values: ["<x/>"] }],
    });
    expect(form.toString()).toBe(
      '<x xmlns="jabber:x:data" type="form"><instructions>a &lt; b &amp; c</instructions>' +
        '<field var="q" label="say &quot;hi&quot;"><value>&lt;x/&gt;</value></field></x>',
    );
  });
});

describe("readSubmittedForm", () => {
  const submit = (type: string, ...fields: ReturnType<typeof xml>[]) => xml("x", { xmlns: NS_DATA, type }, ...fields);
  const field = (name: string | undefined, ...values: string[]) =>
    xml("field", name === undefined ? {} : { var: name }, ...values.map((value) => xml("value", {}, value)));

  it("reads each field's values by name", () => {
    const values = readSubmittedForm(submit("submit", field("username", "alice"), field("note", "hi")));
    expect(Object.fromEntries(values)).toEqual({ username: ["alice"], note: ["hi"] });
  });

  it("keeps every value of a multi-valued field, in order", () => {
    expect(readSubmittedForm(submit("submit", field("jids", "a@x", "b@x", "c@x"))).get("jids")).toEqual([
      "a@x",
      "b@x",
      "c@x",
    ]);
  });

  it("gives a field without values an empty list, and an empty value an empty string", () => {
    const values = readSubmittedForm(submit("submit", field("none"), field("blank", "")));
    expect(values.get("none")).toEqual([]);
    expect(values.get("blank")).toEqual([""]);
  });

  it("ignores fields without a var", () => {
    const values = readSubmittedForm(submit("submit", field(undefined, "lost"), field("kept", "yes")));
    expect([...values.keys()]).toEqual(["kept"]);
  });

  it("keeps fields it does not know, FORM_TYPE included", () => {
    const values = readSubmittedForm(submit("submit", field("FORM_TYPE", "urn:example"), field("extra", "1")));
    expect(Object.fromEntries(values)).toEqual({ FORM_TYPE: ["urn:example"], extra: ["1"] });
  });

  it.each(["form", "result", "cancel", ""])("reads nothing from a form of type %j", (type) => {
    expect(readSubmittedForm(submit(type, field("username", "alice"))).size).toBe(0);
  });

  it("reads nothing from a form without a type", () => {
    expect(readSubmittedForm(xml("x", { xmlns: NS_DATA }, field("username", "alice"))).size).toBe(0);
  });

  it("reads nothing when there is no form", () => {
    expect(readSubmittedForm(undefined).size).toBe(0);
  });

  it("reads back what buildForm wrote as a submit form", () => {
    const form = buildForm({
      type: "submit",
      formType: "urn:example",
      fields: [
        { var: "a", values: ["1", "2"] },
        { var: "b", type: "boolean", values: ["true"] },
      ],
    });
    expect(Object.fromEntries(readSubmittedForm(form))).toEqual({
      FORM_TYPE: ["urn:example"],
      a: ["1", "2"],
      b: ["true"],
    });
  });
});

describe("formBoolean", () => {
  it.each(["1", "true"])("reads %j as true", (value) => {
    expect(formBoolean(value)).toBe(true);
  });

  it.each(["0", "false", "", "TRUE", "yes", " 1", undefined])("reads %j as false", (value) => {
    expect(formBoolean(value)).toBe(false);
  });
});
