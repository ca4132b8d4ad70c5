import { type Element, xml } from "@xmpp/xml";
import { NS } from "../xmpp/namespaces.js";

const NS_VALIDATE = "http://jabber.org/protocol/xdata-validate";

/** One XEP-0004 field. */
export interface FormField {
  readonly var: string;
  readonly type?:
    | "hidden"
    | "text-single"
    | "text-multi"
    | "boolean"
    | "list-single"
    | "list-multi"
    | "fixed"
    | "jid-single"
    | "jid-multi";
  readonly label?: string;
  readonly desc?: string;
  readonly required?: boolean;
  readonly values?: readonly string[];
  /** XEP-0004 §3.3 options of a list field. */
  readonly options?: readonly { readonly label: string; readonly value: string }[];
  /** XEP-0122: an integer range the client can check before submitting. */
  readonly integerRange?: { readonly min: number; readonly max: number };
}

export interface Form {
  readonly type: "form" | "result" | "submit" | "cancel";
  readonly title?: string;
  readonly instructions?: string;
  /** XEP-0068: the FORM_TYPE hidden field, first. */
  readonly formType?: string;
  readonly fields: readonly FormField[];
}

function fieldElement(field: FormField): Element {
  return xml(
    "field",
    { type: field.type, var: field.var, label: field.label },
    field.desc === undefined ? null : xml("desc", {}, field.desc),
    field.required ? xml("required") : null,
    field.integerRange === undefined
      ? null
      : xml(
          "validate",
          { xmlns: NS_VALIDATE, datatype: "xs:integer" },
          xml("range", { min: String(field.integerRange.min), max: String(field.integerRange.max) }),
        ),
    ...(field.values ?? []).map((value) => xml("value", {}, value)),
    ...(field.options ?? []).map((option) => xml("option", { label: option.label }, xml("value", {}, option.value))),
  );
}

export function buildForm({ type, title, instructions, formType, fields }: Form): Element {
  const all: FormField[] =
    formType === undefined ? [...fields] : [{ var: "FORM_TYPE", type: "hidden", values: [formType] }, ...fields];
  return xml(
    "x",
    { xmlns: NS.dataForms, type },
    title === undefined ? null : xml("title", {}, title),
    instructions === undefined ? null : xml("instructions", {}, instructions),
    ...all.map(fieldElement),
  );
}

/** The values of a submitted form (XEP-0004 §3.5), by field name; unknown fields are kept too. */
export function readSubmittedForm(form: Element | undefined): ReadonlyMap<string, readonly string[]> {
  const values = new Map<string, string[]>();
  if (form === undefined || form.attrs.type !== "submit") return values;
  for (const field of form.getChildren("field")) {
    const name = field.attrs.var;
    if (name === undefined) continue;
    values.set(
      name,
      field.getChildren("value").map((value) => value.getText()),
    );
  }
  return values;
}

/** XEP-0004 §3.3: "1" and "true" are true, anything else false. */
export function formBoolean(value: string | undefined): boolean {
  return value === "1" || value === "true";
}

/** XEP-0004 §3.4: a result with several items, under a `<reported/>` header. */
export function buildTable(
  title: string,
  columns: readonly { readonly var: string; readonly label: string }[],
  rows: readonly Readonly<Record<string, string>>[],
): Element {
  return xml(
    "x",
    { xmlns: NS.dataForms, type: "result" },
    xml("title", {}, title),
    xml("reported", {}, ...columns.map((c) => xml("field", { var: c.var, label: c.label }))),
    ...rows.map((row) =>
      xml("item", {}, ...columns.map((c) => xml("field", { var: c.var }, xml("value", {}, row[c.var] ?? "")))),
    ),
  );
}
