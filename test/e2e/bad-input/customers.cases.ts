import { Case, Ids, INPUT, INVALID } from './case';

/** Bad input to the mutations of customers, contacts, value segments and custom fields. */
export function customersCases(ids: Ids): Record<string, Case[]> {
  return {
    createContact: [
      {
        name: 'bad e-mail',
        query: `mutation { createContact(customerId: "${ids.customer}", input: { name: "A", email: "not-an-email" }) { id } }`,
        code: INPUT,
        message: /e-mail/,
      },
      {
        name: 'duplicate e-mail',
        query: `mutation { createContact(customerId: "${ids.customer}", input: { name: "A", email: "pat@acme.example" }) { id } }`,
        code: 'CONFLICT',
      },
      {
        name: 'unknown customer',
        query: `mutation { createContact(customerId: "999999999", input: { name: "A", email: "a@b.example" }) { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'missing name',
        query: `mutation { createContact(customerId: "${ids.customer}", input: { email: "new@acme.example" }) { id } }`,
        code: INPUT,
      },
    ],
    createCustomer: [
      {
        name: 'negative mrr',
        query: `mutation { createCustomer(input: { name: "X", mrr: -5 }) { id } }`,
        code: INPUT,
        message: /mrr/,
      },
      {
        name: 'huge mrr',
        query: `mutation { createCustomer(input: { name: "X", mrr: 1e300 }) { id } }`,
        code: INPUT,
        message: /mrr/,
      },
      {
        name: 'custom field not defined',
        query: `mutation { createCustomer(input: { name: "X", customFields: { nope: true } }) { id } }`,
        code: INPUT,
        message: /customFields\.nope/,
      },
      {
        name: 'invalid tier',
        query: `mutation { createCustomer(input: { name: "X", tier: platinum }) { id } }`,
        code: INVALID,
      },
      {
        name: 'name > 200',
        query: `mutation($n: String) { createCustomer(input: { name: $n }) { id } }`,
        variables: { n: 'n'.repeat(201) },
        code: INPUT,
      },
      {
        name: 'bad renewal date',
        query: `mutation { createCustomer(input: { name: "X", renewalDate: "2026-13-45" }) { id } }`,
        code: INPUT,
      },
      {
        name: 'extra input field',
        query: `mutation { createCustomer(input: { name: "X", isVip: true }) { id } }`,
        code: INVALID,
      },
    ],
    setValueSegmentScheme: [
      {
        name: 'bounds not ascending',
        query: `mutation { setValueSegmentScheme(scheme: bands, bands: [{ segment: low, minValue: 0 }, { segment: high, minValue: -5 }]) { scheme } }`,
        code: INPUT,
        message: /bands/,
      },
      {
        name: 'quartiles with bands',
        query: `mutation { setValueSegmentScheme(scheme: quartiles, bands: [{ segment: low, minValue: 0 }]) { scheme } }`,
        code: INPUT,
      },
      {
        name: 'bands without any',
        query: `mutation { setValueSegmentScheme(scheme: bands) { scheme } }`,
        code: INPUT,
      },
    ],
    clearContactBounce: [
      {
        name: 'unknown contact',
        query: `mutation { clearContactBounce(contactId: "999999") { id } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'malformed id',
        query: `mutation { clearContactBounce(contactId: "x") { id } }`,
        code: INPUT,
      },
    ],
    eraseContact: [
      {
        name: 'unknown id',
        query: `mutation { eraseContact(contactId: "999999999") { contactId } }`,
        code: 'NOT_FOUND',
      },
      {
        name: 'SQL in id',
        query: `mutation { eraseContact(contactId: "1 OR 1=1") { contactId } }`,
        code: INPUT,
      },
    ],
    setCustomerStatus: [
      {
        name: 'invalid status',
        query: `mutation { setCustomerStatus(id: "${ids.customer}", status: bankrupt) { id } }`,
        code: INVALID,
      },
      {
        name: 'same status',
        query: `mutation { setCustomerStatus(id: "${ids.customer}", status: active) { id } }`,
        code: INPUT,
      },
    ],
    updateContact: [
      {
        name: 'bad e-mail',
        query: `mutation { updateContact(id: "${ids.contact}", input: { email: "nope" }) { id } }`,
        code: INPUT,
      },
      {
        name: 'phone > limit',
        query: `mutation($p: String) { updateContact(id: "${ids.contact}", input: { phone: $p }) { id } }`,
        variables: { p: '1'.repeat(1000) },
        code: INPUT,
      },
    ],
    updateCustomer: [
      {
        name: 'negative mrr',
        query: `mutation { updateCustomer(id: "${ids.customer}", input: { mrr: -1 }) { id } }`,
        code: INPUT,
      },
      {
        name: 'custom fields not an object',
        query: `mutation { updateCustomer(id: "${ids.customer}", input: { customFields: [1, 2] }) { id } }`,
        code: INVALID,
      },
      {
        name: 'custom field not defined',
        query: `mutation { updateCustomer(id: "${ids.customer}", input: { customFields: { nope: 1 } }) { id } }`,
        code: INPUT,
        message: /customFields\.nope/,
      },
      {
        name: 'dropdown value not an option',
        query: `mutation { updateCustomer(id: "${ids.customer}", input: { customFields: { region: "mars" } }) { id } }`,
        code: INPUT,
        message: /customFields\.region.*EMEA, APAC/,
      },
      {
        name: 'dropdown given a number',
        query: `mutation { updateCustomer(id: "${ids.customer}", input: { customFields: { region: 7 } }) { id } }`,
        code: INPUT,
        message: /customFields\.region/,
      },
    ],
    createCustomFieldDefinition: [
      {
        name: 'bad key',
        query: `mutation { createCustomFieldDefinition(input: { entity: ticket, key: "Plan Name", label: "Plan", type: text }) { id } }`,
        code: INPUT,
        message: /key/,
      },
      {
        name: 'dropdown without options',
        query: `mutation { createCustomFieldDefinition(input: { entity: ticket, key: "plan", label: "Plan", type: dropdown }) { id } }`,
        code: INPUT,
        message: /options/,
      },
    ],
    updateCustomFieldDefinition: [
      {
        name: 'unknown field',
        query: `mutation { updateCustomFieldDefinition(id: "999999999", input: { label: "x" }) { id } }`,
        code: 'NOT_FOUND',
      },
    ],
    setCustomerCustomFields: [
      {
        name: 'unknown field',
        query: `mutation { setCustomerCustomFields(customerId: "${ids.customer}", values: { nope: 1 }) }`,
        code: INPUT,
        message: /values\.nope/,
      },
    ],
  };
}
