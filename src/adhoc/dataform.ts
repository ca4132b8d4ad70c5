import { type Element, xml } from "@xmpp/xml";
import { NS } from "../xmpp/namespaces.js";

/** One XEP-0004 field. */
export interface FormField {
  readonly var: string;
  readonly type?: "hidden" | "text-single" | "text-multi" | "boolean" | "list-single" | "fixed" | "jid-single";
  readonly label?: string;
  readonly desc?: string;
  readonly values?: readonly string[];
}

export interface Form {
  readonly type: "form" | "result" | "submit" | "cancel";
  readonly title?: string;
  /** XEP-0068: the FORM_TYPE hidden field, first. */
  readonly formType?: string;
  readonly fields: readonly FormField[];
}

export function buildForm({ type, title, formType, fields }: Form): Element {
  const all: FormField[] =
    formType === undefined ? [...fields] : [{ var: "FORM_TYPE", type: "hidden", values: [formType] }, ...fields];
  return xml(
    "x",
    { xmlns: NS.dataForms, type },
    title === undefined ? null : xml("title", {}, title),
    ...all.map((field) =>
      xml(
        "field",
        { type: field.type, var: field.var, label: field.label },
        field.desc === undefined ? null : xml("desc", {}, field.desc),
        ...(field.values ?? []).map((value) => xml("value", {}, value)),
      ),
    ),
  );
}
