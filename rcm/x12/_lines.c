/*
 * Compiled readers of the per-line loops in their regular shape, the most numerous loops of a claim file:
 *   - 837P service line (2400): LX, then only SV1, DTP and REF segments, and no child loop; the same ServiceLine
 *     (with its Procedure, DateValue and Reference records) as parse837._line in rcm/x12/sets/parse837.py;
 *   - 835 service payment (2110): SVC, then only CAS, DTM, REF, AMT and LQ segments; the same ServicePayment
 *     (with its Procedure, Adjustment, DateValue, Reference, Amount and Remark records) as _service in
 *     rcm/x12/sets/x835/parsing.py;
 *   - name loops starting with NM1 (billing provider, subscriber, payer, rendering provider...): the same Party
 *     (with its Address, Reference and Contact records) as common.party_of;
 *   - 837 claim (2300) of any kind: the same SubmittedClaim as parse837._claim (without its hierarchy, which the
 *     caller places), its lines, providers and other payers through the readers above and the Python ones;
 *   - 835 claim payment (2100): the same ClaimPayment as _claim in rcm/x12/sets/x835/parsing.py (header number
 *     placed by the caller), its service payments through the reader above or the Python one;
 *   - 837 subscriber (2000B): the same Subscriber as parse837._subscriber.
 * Both go through the same record classes and the same caches of converted amounts, dates and diagnosis
 * pointers; a value not in a cache yet is converted by the Python function that owns that cache.  Anything else
 * (another segment, a child loop, an RD8 date range, segments not of the compiled Segment class) gives
 * NotImplemented before anything is built, and the Python reader takes the loop.  The Python readers are the
 * reference: test_every_835_and_837_sample_gives_the_same_models_both_ways compares the models of every sample
 * built with and without this module (RCM_PURE_PYTHON_MODELS=1), test_x12_compiled_lines.py the odd shapes.
 *
 * configure(Loop, Segment, Procedure, DateValue, Reference, ZERO, money_cache, money, money_or_zero, date_cache,
 *           date_of)                                                     (the shared part; the same from either set)
 * configure_professional(ServiceLine, pointer_cache, diagnosis_pointers, rd8_date)   (after configure)
 * configure_remittance(ServicePayment, Adjustment, Amount, Remark)                   (after configure)
 * configure_parties(Party, Address, Contact.of, party_of)                            (after configure)
 * professional_line(loop) -> ServiceLine | NotImplemented
 * service_payment(loop) -> ServicePayment | NotImplemented
 * party(loop) -> Party | None   (common.party_of; loops not starting with NM1 are handed to it)
 * configure_claims(SubmittedClaim, CodeEntry, Amount, _line, _other_payer)           (after the others)
 * claim(loop) -> SubmittedClaim | NotImplemented
 * configure_claim_payments(ClaimPayment, Quantity, roles, _service)                  (after the others)
 * claim_payment(loop) -> ClaimPayment | NotImplemented
 * configure_subscribers(Subscriber)                                                  (after configure_parties)
 * subscriber(loop) -> Subscriber | NotImplemented
 */
#include "_slots.h"
#include <datetime.h>

static PyTypeObject *loop_type, *segment_type;
static Py_ssize_t loop_id, loop_segments, loop_children, segment_id, segment_elements, segment_delimiters, segment_number;
static PyObject *service_line, *procedure, *date_value, *reference, *zero;
static PyObject *money_cache, *money, *money_or_zero, *date_cache, *date_of, *pointer_cache, *diagnosis_pointers;
static PyObject *rd8_date; /* DateValue.of_dtp: the Python reader of a DTP, for date ranges */
static PyObject *service_payment_type, *adjustment, *amount, *remark; /* configure_remittance */
static PyObject *party_type, *address_type, *contact_of, *python_party_of; /* configure_parties */
static PyObject *submitted_claim, *code_entry, *claim_amount, *python_line, *other_payer; /* configure_claims */
static PyObject *s_hi, *s_cl1, *s_nte, *s_2400, *s_2320;
static PyObject *s_amounts, *s_notes, *s_providers, *s_other_payers, *s_lines, *s_institutional;
static PyObject *claim_payment_type, *quantity_type, *claim_roles, *python_service; /* configure_claim_payments */
static PyObject *s_qty, *s_mia, *s_moa, *s_2110, *s_inpatient, *s_outpatient, *s_references, *s_dates,
    *s_quantities, *s_services;
static int claim_payments_configured = 0;
static PyObject *subscriber_type, *s_sbr, *s_dmg, *s_2010ba, *s_2010bb; /* configure_subscribers */
static PyObject *empty, *s_lx, *s_sv1, *s_dtp, *s_ref, *s_rd8, *s_dash, *s_component;
static PyObject *s_svc, *s_cas, *s_dtm, *s_amt, *s_lq, *s_nm1, *s_n3, *s_n4, *s_per;
static int configured = 0, professional_configured = 0, remittance_configured = 0, parties_configured = 0;
static int claims_configured = 0;

/* A new reference to the number (an int) of a compiled Segment. */
static PyObject *
number_ref(PyObject *segment)
{
    return Py_NewRef(SLOT(segment, segment_number));
}

/* Element i (0-based) of a list of elements, "" past its end; a borrowed reference. */
static PyObject *
element(PyObject *elements, Py_ssize_t i)
{
    return i < PyList_GET_SIZE(elements) ? PyList_GET_ITEM(elements, i) : empty;
}

/* Whether a segment or loop id (a str) is that name (an interned str).  The tokenizer interns the ids it reads,
 * so two interned strings that are not the same object differ. */
static int
same_id(PyObject *sid, PyObject *name)
{
    if (sid == name) {
        return 1;
    }
    if (PyUnicode_CHECK_INTERNED(sid)) {
        return 0;
    }
    return PyUnicode_Compare(sid, name) == 0;
}

/* Whether the loop is a Loop whose own segments are compiled Segments with str elements (at least one when
 * `nonempty`), and whose children are Loops. */
static int
regular_segments(PyObject *loop, int nonempty)
{
    if (!Py_IS_TYPE(loop, loop_type)) {
        return 0;
    }
    PyObject *segments = SLOT(loop, loop_segments), *children = SLOT(loop, loop_children);
    if (segments == NULL || children == NULL || !PyList_CheckExact(segments) || !PyList_CheckExact(children) ||
        (nonempty && PyList_GET_SIZE(segments) == 0)) {
        return 0;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(segments); i++) {
        PyObject *segment = PyList_GET_ITEM(segments, i);
        if (!Py_IS_TYPE(segment, segment_type)) {
            return 0;
        }
        PyObject *sid = SLOT(segment, segment_id), *e = SLOT(segment, segment_elements);
        if (sid == NULL || e == NULL || !PyUnicode_Check(sid) || !PyList_CheckExact(e)) {
            return 0;
        }
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(e); k++) {
            if (!PyUnicode_CheckExact(PyList_GET_ITEM(e, k))) {
                return 0;
            }
        }
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(children); i++) {
        if (!Py_IS_TYPE(PyList_GET_ITEM(children, i), loop_type)) {
            return 0;
        }
    }
    return 1;
}

/* A new reference to cache.get(key), or to fallback(key) when the key is not cached (the function caches it). */
static PyObject *
cached(PyObject *cache, PyObject *fallback, PyObject *key)
{
    PyObject *found = PyDict_GetItemWithError(cache, key);
    if (found != NULL) {
        Py_INCREF(found);
        return found;
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    return PyObject_CallOneArg(fallback, key);
}

/* The cache size common.py keeps its caches under (_CACHE_LIMIT): the cache is emptied when it reaches it. */
#define CACHE_LIMIT 8192

/* date_of(value) read here: a CCYYMMDD date of ASCII digits (None when empty, malformed or not a real date),
 * cached like common.date_of does; anything else with eight characters (other decimal digits) goes to it. */
static PyObject *
day_of(PyObject *value)
{
    PyObject *found = PyDict_GetItemWithError(date_cache, value);
    if (found != NULL) {
        Py_INCREF(found);
        return found;
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    PyObject *day = NULL;
    if (PyUnicode_GET_LENGTH(value) != 8) {
        day = Py_NewRef(Py_None);
    }
    else if (!PyUnicode_IS_ASCII(value)) {
        return PyObject_CallOneArg(date_of, value); /* (Unicode decimal digits: the Python reader decides) */
    }
    else {
        const Py_UCS1 *c = PyUnicode_1BYTE_DATA(value);
        int digits = 1, v[8];
        for (int i = 0; i < 8; i++) {
            digits &= c[i] >= '0' && c[i] <= '9';
            v[i] = c[i] - '0';
        }
        int year = v[0] * 1000 + v[1] * 100 + v[2] * 10 + v[3], month = v[4] * 10 + v[5], mday = v[6] * 10 + v[7];
        static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
        int leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        if (digits && year >= 1 && month >= 1 && month <= 12 && mday >= 1 &&
            mday <= days[month - 1] + (month == 2 && leap)) {
            day = PyDate_FromDate(year, month, mday);
            if (day == NULL) {
                return NULL;
            }
        }
        else {
            day = Py_NewRef(Py_None);
        }
    }
    if (PyDict_GET_SIZE(date_cache) >= CACHE_LIMIT) {
        PyDict_Clear(date_cache);
    }
    if (PyDict_SetItem(date_cache, value, day) < 0) {
        Py_DECREF(day);
        return NULL;
    }
    return day;
}

/* money(value) (number() too): a cached amount, None for an empty or malformed one; "" answered here. */
static PyObject *
money_value(PyObject *value)
{
    if (PyUnicode_GET_LENGTH(value) == 0) {
        Py_RETURN_NONE;
    }
    return cached(money_cache, money, value);
}

/* money_or_zero(value): a cached amount, ZERO for an empty or malformed one. */
static PyObject *
amount_or_zero(PyObject *value)
{
    PyObject *found = PyDict_GetItemWithError(money_cache, value);
    if (found != NULL) {
        found = found == Py_None ? zero : found;
        Py_INCREF(found);
        return found;
    }
    return PyErr_Occurred() ? NULL : PyObject_CallOneArg(money_or_zero, value);
}

static PyObject *
call(PyObject *callable, PyObject **args, Py_ssize_t n)
{
    return PyObject_Vectorcall(callable, args, (size_t)n, NULL);
}

/* Procedure.of(text.split(component)) */
static PyObject *
procedure_of(PyObject *text, PyObject *component)
{
    PyObject *parts = PyUnicode_Split(text, component, -1);
    if (parts == NULL) {
        return NULL;
    }
    Py_ssize_t n = PyList_GET_SIZE(parts);
    PyObject *modifiers = PyList_New(0);
    PyObject *result = NULL;
    if (modifiers == NULL) {
        goto done;
    }
    if (n <= 2) {
        PyObject *args[4] = {n ? PyList_GET_ITEM(parts, 0) : empty, n == 2 ? PyList_GET_ITEM(parts, 1) : empty,
                             modifiers, empty};
        result = call(procedure, args, 4);
        goto done;
    }
    for (Py_ssize_t i = 2; i < 6 && i < n; i++) {
        PyObject *part = PyList_GET_ITEM(parts, i);
        if (PyUnicode_GET_LENGTH(part) > 0 && PyList_Append(modifiers, part) < 0) {
            goto done;
        }
    }
    PyObject *args[4] = {PyList_GET_ITEM(parts, 0), PyList_GET_ITEM(parts, 1), modifiers,
                         n > 6 ? PyList_GET_ITEM(parts, 6) : empty};
    result = call(procedure, args, 4);
done:
    Py_DECREF(parts);
    Py_XDECREF(modifiers);
    return result;
}

/* _diagnosis_pointers(value, component): a new list of the cached pointers. */
static PyObject *
pointers_of(PyObject *value, PyObject *component)
{
    PyObject *key = PyUnicode_Concat(component, value);
    if (key == NULL) {
        return NULL;
    }
    PyObject *found = PyDict_GetItemWithError(pointer_cache, key);
    Py_DECREF(key);
    if (found != NULL && PyTuple_CheckExact(found)) {
        return PySequence_List(found);
    }
    if (PyErr_Occurred()) {
        return NULL;
    }
    PyObject *args[2] = {value, component};
    return call(diagnosis_pointers, args, 2);
}

/* DateValue.of_dtp(segment), RD8 ranges and DT date-times left to the Python reader. */
static PyObject *
dtp_of(PyObject *segment)
{
    PyObject *e = SLOT(segment, segment_elements);
    PyObject *format = element(e, 1), *raw = element(e, 2);
    int range = (PyUnicode_Compare(format, s_rd8) == 0 && PyUnicode_Contains(raw, s_dash) == 1) ||
                PyUnicode_CompareWithASCIIString(format, "DT") == 0;
    if (PyErr_Occurred()) {
        return NULL;
    }
    if (range) {
        return PyObject_CallOneArg(rd8_date, segment);
    }
    PyObject *day = day_of(raw);
    if (day == NULL) {
        return NULL;
    }
    PyObject *number = number_ref((segment));
    if (number == NULL) {
        Py_DECREF(day);
        return NULL;
    }
    PyObject *args[5] = {element(e, 0), day, day, raw, number};
    PyObject *result = call(date_value, args, 5);
    Py_DECREF(day);
    Py_DECREF(number);
    return result;
}

/* Reference.of(segment) */
static PyObject *
reference_of(PyObject *segment)
{
    PyObject *e = SLOT(segment, segment_elements);
    PyObject *number = number_ref((segment));
    if (number == NULL) {
        return NULL;
    }
    PyObject *args[4] = {element(e, 0), element(e, 1), PyList_GET_SIZE(e) == 2 ? empty : element(e, 2), number};
    PyObject *result = call(reference, args, 4);
    Py_DECREF(number);
    return result;
}

enum { LX, SV1, DTP, REF, OTHER };

static int
kind_of(PyObject *sid)
{
    return same_id(sid, s_sv1) ? SV1 : same_id(sid, s_dtp) ? DTP : same_id(sid, s_ref) ? REF : same_id(sid, s_lx) ? LX
                                                                                                             : OTHER;
}

static PyObject *
professional_line(PyObject *module, PyObject *loop)
{
    (void)module;
    if (!professional_configured) {
        PyErr_SetString(PyExc_RuntimeError, "professional_line: configure_professional() was not called");
        return NULL;
    }
    if (!regular_segments(loop, 1) || PyList_GET_SIZE(SLOT(loop, loop_children)) != 0) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    PyObject *segments = SLOT(loop, loop_segments);
    Py_ssize_t count = PyList_GET_SIZE(segments);
    /* The regular shape (LX, then SV1, DTP and REF only), checked before anything is built. */
    for (Py_ssize_t i = 0; i < count; i++) {
        int kind = kind_of(SLOT(PyList_GET_ITEM(segments, i), segment_id));
        if ((i == 0) != (kind == LX) || kind == OTHER) {
            Py_RETURN_NOTIMPLEMENTED;
        }
    }
    PyObject *lx = PyList_GET_ITEM(segments, 0);
    PyObject *line_procedure = Py_None, *charge = zero, *unit_basis = empty, *units = Py_None, *place = empty;
    PyObject *pointers = NULL, *emergency = empty, *date_list = NULL, *reference_list = NULL, *number = NULL;
    PyObject *result = NULL;
    Py_INCREF(line_procedure);
    Py_INCREF(charge);
    Py_INCREF(unit_basis);
    Py_INCREF(units);
    Py_INCREF(place);
    Py_INCREF(emergency);
    pointers = PyList_New(0);
    date_list = PyList_New(0);
    reference_list = PyList_New(0);
    if (pointers == NULL || date_list == NULL || reference_list == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 1; i < count; i++) {
        PyObject *segment = PyList_GET_ITEM(segments, i);
        int kind = kind_of(SLOT(segment, segment_id));
        if (kind == SV1) {
            PyObject *e = SLOT(segment, segment_elements);
            PyObject *component = PyObject_GetAttr(SLOT(segment, segment_delimiters), s_component);
            if (component == NULL) {
                goto done;
            }
            PyObject *value;
            if ((value = procedure_of(element(e, 0), component)) == NULL) {
                Py_DECREF(component);
                goto done;
            }
            Py_SETREF(line_procedure, value);
            if ((value = amount_or_zero(element(e, 1))) == NULL) {
                Py_DECREF(component);
                goto done;
            }
            Py_SETREF(charge, value);
            Py_INCREF(element(e, 2));
            Py_SETREF(unit_basis, element(e, 2));
            if ((value = cached(money_cache, money, element(e, 3))) == NULL) {
                Py_DECREF(component);
                goto done;
            }
            Py_SETREF(units, value);
            Py_INCREF(element(e, 4));
            Py_SETREF(place, element(e, 4));
            if (PyUnicode_GET_LENGTH(element(e, 6)) > 0) {
                if ((value = pointers_of(element(e, 6), component)) == NULL) {
                    Py_DECREF(component);
                    goto done;
                }
                Py_SETREF(pointers, value);
            }
            Py_INCREF(element(e, 8));
            Py_SETREF(emergency, element(e, 8));
            Py_DECREF(component);
        }
        else {
            PyObject *item = kind == DTP ? dtp_of(segment) : reference_of(segment);
            if (item == NULL) {
                goto done;
            }
            int appended = PyList_Append(kind == DTP ? date_list : reference_list, item);
            Py_DECREF(item);
            if (appended < 0) {
                goto done;
            }
        }
    }
    number = number_ref((lx));
    if (number == NULL) {
        goto done;
    }
    {
        PyObject *lx_elements = SLOT(lx, segment_elements);
        PyObject *args[12] = {element(lx_elements, 0), line_procedure, charge, unit_basis, units, place, pointers,
                              empty, Py_None, number, date_list, reference_list};
        result = call(service_line, args, 12);
    }
    if (result != NULL && PyUnicode_GET_LENGTH(emergency) > 0 &&
        PyObject_SetAttrString(result, "emergency", emergency) < 0) {
        Py_CLEAR(result);
    }
done:
    Py_XDECREF(line_procedure);
    Py_XDECREF(charge);
    Py_XDECREF(unit_basis);
    Py_XDECREF(units);
    Py_XDECREF(place);
    Py_XDECREF(pointers);
    Py_XDECREF(emergency);
    Py_XDECREF(date_list);
    Py_XDECREF(reference_list);
    Py_XDECREF(number);
    return result;
}

/* Keep new references to objects[i] in *targets[i] (the configure functions). */
static void
keep(PyObject **const targets[], PyObject *const objects[], int count)
{
    for (int i = 0; i < count; i++) {
        Py_INCREF(objects[i]);
        Py_XSETREF(*targets[i], objects[i]);
    }
}

static PyObject *
configure(PyObject *module, PyObject *args)
{
    (void)module;
    PyTypeObject *loop, *segment;
    PyObject *objects[9];
    if (!PyArg_ParseTuple(args, "O!O!O!O!O!OO!OOO!O", &PyType_Type, &loop, &PyType_Type, &segment, &PyType_Type,
                          &objects[0], &PyType_Type, &objects[1], &PyType_Type, &objects[2], &objects[3], &PyDict_Type,
                          &objects[4], &objects[5], &objects[6], &PyDict_Type, &objects[7], &objects[8])) {
        return NULL;
    }
    PyObject *descr = PyObject_GetAttrString((PyObject *)segment, "offset");
    if (descr == NULL) {
        return NULL;
    }
    int compiled = Py_IS_TYPE(descr, &PyMemberDescr_Type) &&
                   ((PyMemberDescrObject *)descr)->d_member->type == T_PYSSIZET;
    Py_DECREF(descr);
    if (!compiled) {
        PyErr_SetString(PyExc_TypeError, "the compiled line readers read the compiled Segment class only");
        return NULL;
    }
    if (slot_offset_of(loop, "segments", &loop_segments) < 0 || slot_offset_of(loop, "children", &loop_children) < 0 ||
        slot_offset_of(loop, "id", &loop_id) < 0 || slot_offset_of(segment, "id", &segment_id) < 0 || slot_offset_of(segment, "elements", &segment_elements) < 0 ||
        slot_offset_of(segment, "delimiters", &segment_delimiters) < 0 ||
        slot_offset_of(segment, "number", &segment_number) < 0) {
        return NULL;
    }
    PyObject **targets[9] = {&procedure, &date_value, &reference, &zero, &money_cache, &money, &money_or_zero,
                             &date_cache, &date_of};
    keep(targets, objects, 9);
    Py_INCREF(loop);
    Py_XSETREF(loop_type, loop);
    Py_INCREF(segment);
    Py_XSETREF(segment_type, segment);
    if (empty == NULL) {
        empty = PyUnicode_FromStringAndSize("", 0);
        s_lx = PyUnicode_InternFromString("LX");
        s_sv1 = PyUnicode_InternFromString("SV1");
        s_dtp = PyUnicode_InternFromString("DTP");
        s_ref = PyUnicode_InternFromString("REF");
        s_rd8 = PyUnicode_InternFromString("RD8");
        s_dash = PyUnicode_InternFromString("-");
        s_component = PyUnicode_InternFromString("component");
        s_svc = PyUnicode_InternFromString("SVC");
        s_cas = PyUnicode_InternFromString("CAS");
        s_dtm = PyUnicode_InternFromString("DTM");
        s_amt = PyUnicode_InternFromString("AMT");
        s_lq = PyUnicode_InternFromString("LQ");
        s_nm1 = PyUnicode_InternFromString("NM1");
        s_n3 = PyUnicode_InternFromString("N3");
        s_n4 = PyUnicode_InternFromString("N4");
        s_per = PyUnicode_InternFromString("PER");
        if (empty == NULL || s_lx == NULL || s_sv1 == NULL || s_dtp == NULL || s_ref == NULL || s_rd8 == NULL ||
            s_dash == NULL || s_component == NULL || s_svc == NULL || s_cas == NULL || s_dtm == NULL ||
            s_amt == NULL || s_lq == NULL || s_nm1 == NULL || s_n3 == NULL || s_n4 == NULL || s_per == NULL) {
            return NULL;
        }
    }
    configured = 1;
    Py_RETURN_NONE;
}

static PyObject *
configure_professional(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *objects[4];
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "configure_professional: configure() first");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "O!O!OO", &PyType_Type, &objects[0], &PyDict_Type, &objects[1], &objects[2],
                          &objects[3])) {
        return NULL;
    }
    PyObject **targets[4] = {&service_line, &pointer_cache, &diagnosis_pointers, &rd8_date};
    keep(targets, objects, 4);
    professional_configured = 1;
    Py_RETURN_NONE;
}

/* ---- 835 service payment (2110) ---------------------------------------------------------------------------- */

/* One Adjustment(group, reason, money_or_zero(amount), quantity, at) appended to out; 0 or -1. */
static int
add_adjustment(PyObject *out, PyObject *group, PyObject *reason, PyObject *amount_text, PyObject *quantity_text,
               PyObject *at)
{
    PyObject *value = amount_or_zero(amount_text);
    if (value == NULL) {
        return -1;
    }
    PyObject *quantity = quantity_text == NULL ? Py_NewRef(Py_None) : money_value(quantity_text);
    if (quantity == NULL) {
        Py_DECREF(value);
        return -1;
    }
    PyObject *args[5] = {group, reason, value, quantity, at};
    PyObject *item = call(adjustment, args, 5);
    Py_DECREF(value);
    Py_DECREF(quantity);
    if (item == NULL) {
        return -1;
    }
    int failed = PyList_Append(out, item);
    Py_DECREF(item);
    return failed;
}

/* adjustments_of(segment) appended to out (the up-to-six reason/amount/quantity triples of one CAS). */
static int
add_adjustments(PyObject *out, PyObject *segment)
{
    PyObject *e = SLOT(segment, segment_elements);
    Py_ssize_t n = PyList_GET_SIZE(e);
    PyObject *at = number_ref((segment));
    if (at == NULL) {
        return -1;
    }
    int failed = 0;
    if (n < 3) {
        failed = add_adjustment(out, element(e, 0), element(e, 1), empty, NULL, at);
    }
    else if (n <= 4) {
        if (PyUnicode_GET_LENGTH(element(e, 1)) > 0 || PyUnicode_GET_LENGTH(element(e, 2)) > 0) {
            failed = add_adjustment(out, element(e, 0), element(e, 1), element(e, 2), element(e, 3), at);
        }
    }
    else {
        for (Py_ssize_t i = 1; !failed && i < (n < 19 ? n : 19); i += 3) {
            PyObject *reason = element(e, i), *value = element(e, i + 1);
            if (PyUnicode_GET_LENGTH(reason) == 0 && PyUnicode_GET_LENGTH(value) == 0) {
                continue;
            }
            failed = add_adjustment(out, element(e, 0), reason, value, element(e, i + 2), at);
        }
    }
    Py_DECREF(at);
    return failed;
}

/* DateValue.of_dtm(segment) */
static PyObject *
dtm_of(PyObject *segment)
{
    PyObject *e = SLOT(segment, segment_elements);
    PyObject *raw = element(e, 1);
    PyObject *day = day_of(raw);
    if (day == NULL) {
        return NULL;
    }
    PyObject *number = number_ref((segment));
    if (number == NULL) {
        Py_DECREF(day);
        return NULL;
    }
    PyObject *args[5] = {element(e, 0), day, day, raw, number};
    PyObject *result = call(date_value, args, 5);
    Py_DECREF(day);
    Py_DECREF(number);
    return result;
}

/* Amount.of(segment) or Remark(LQ01, LQ02, number) */
static PyObject *
amount_or_remark_of(PyObject *segment, int is_amount)
{
    PyObject *e = SLOT(segment, segment_elements);
    PyObject *number = number_ref((segment));
    if (number == NULL) {
        return NULL;
    }
    PyObject *second = is_amount ? cached(money_cache, money, element(e, 1)) : Py_NewRef(element(e, 1));
    if (second == NULL) {
        Py_DECREF(number);
        return NULL;
    }
    PyObject *args[3] = {element(e, 0), second, number};
    PyObject *result = call(is_amount ? amount : remark, args, 3);
    Py_DECREF(second);
    Py_DECREF(number);
    return result;
}

enum { SVC = OTHER + 1, CAS, DTM, AMT, LQ };

static int
remittance_kind_of(PyObject *sid)
{
    static PyObject **names[] = {&s_svc, &s_cas, &s_dtm, &s_ref, &s_amt, &s_lq};
    static const int kinds[] = {SVC, CAS, DTM, REF, AMT, LQ};
    for (int i = 0; i < 6; i++) {
        if (same_id(sid, *names[i])) {
            return kinds[i];
        }
    }
    return OTHER;
}

/* Whether the loop's segments are all compiled Segments with str elements; the first with id `first`, the others of
 * the kinds the caller reads (kind_of(...) != OTHER and != that of `first`). */
static int
regular_loop(PyObject *loop, int (*kind)(PyObject *), int first)
{
    if (!regular_segments(loop, 1) || PyList_GET_SIZE(SLOT(loop, loop_children)) != 0) {
        return 0;
    }
    PyObject *segments = SLOT(loop, loop_segments);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(segments); i++) {
        int k = kind(SLOT(PyList_GET_ITEM(segments, i), segment_id));
        if ((i == 0) != (k == first) || k == OTHER) {
            return 0;
        }
    }
    return 1;
}

static PyObject *
service_payment(PyObject *module, PyObject *loop)
{
    (void)module;
    if (!remittance_configured) {
        PyErr_SetString(PyExc_RuntimeError, "service_payment: configure_remittance() was not called");
        return NULL;
    }
    int regular = regular_loop(loop, remittance_kind_of, SVC);
    if (regular <= 0) {
        if (regular < 0) {
            return NULL;
        }
        Py_RETURN_NOTIMPLEMENTED;
    }
    PyObject *segments = SLOT(loop, loop_segments);
    Py_ssize_t count = PyList_GET_SIZE(segments);
    /* dates, adjustments, references, amounts, (quantities: never here), remarks: made when a segment needs one */
    PyObject *lists[6] = {NULL, NULL, NULL, NULL, NULL, NULL};
    PyObject *fields[8] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    PyObject *result = NULL, *component = NULL;
    PyObject *svc = PyList_GET_ITEM(segments, 0);
    PyObject *e = SLOT(svc, segment_elements);
    Py_ssize_t n = PyList_GET_SIZE(e);
    component = PyObject_GetAttr(SLOT(svc, segment_delimiters), s_component);
    if (component == NULL) {
        goto done;
    }
    PyObject *original = element(e, 5);
    if ((fields[0] = procedure_of(element(e, 0), component)) == NULL ||
        (fields[1] = amount_or_zero(element(e, 1))) == NULL || (fields[2] = amount_or_zero(element(e, 2))) == NULL ||
        (fields[4] = cached(money_cache, money, element(e, 4))) == NULL ||
        (fields[5] = PyUnicode_GET_LENGTH(original) > 0 ? procedure_of(original, component) : Py_NewRef(Py_None)) ==
            NULL ||
        (fields[6] = n > 6 ? cached(money_cache, money, element(e, 6)) : Py_NewRef(Py_None)) == NULL ||
        (fields[7] = number_ref((svc))) == NULL) {
        goto done;
    }
    fields[3] = Py_NewRef(element(e, 3));
    Py_ssize_t used = 0; /* lists passed: up to the last one a segment filled */
    for (Py_ssize_t i = 1; i < count; i++) {
        PyObject *segment = PyList_GET_ITEM(segments, i);
        int kind = remittance_kind_of(SLOT(segment, segment_id));
        int slot = kind == DTM ? 0 : kind == CAS ? 1 : kind == REF ? 2 : kind == AMT ? 3 : 5;
        if (lists[slot] == NULL && (lists[slot] = PyList_New(0)) == NULL) {
            goto done;
        }
        if (slot + 1 > used) {
            used = slot + 1;
        }
        if (kind == CAS) {
            if (add_adjustments(lists[1], segment) < 0) {
                goto done;
            }
            continue;
        }
        PyObject *item = kind == DTM ? dtm_of(segment)
                         : kind == REF ? reference_of(segment)
                                       : amount_or_remark_of(segment, kind == AMT);
        if (item == NULL) {
            goto done;
        }
        int appended = PyList_Append(lists[slot], item);
        Py_DECREF(item);
        if (appended < 0) {
            goto done;
        }
    }
    for (Py_ssize_t i = 0; i < used; i++) {
        if (lists[i] == NULL && (lists[i] = PyList_New(0)) == NULL) {
            goto done;
        }
    }
    {
        PyObject *args[14];
        for (int i = 0; i < 8; i++) {
            args[i] = fields[i];
        }
        for (Py_ssize_t i = 0; i < used; i++) {
            args[8 + i] = lists[i];
        }
        result = call(service_payment_type, args, 8 + used);
    }
done:
    Py_XDECREF(component);
    for (int i = 0; i < 8; i++) {
        Py_XDECREF(fields[i]);
    }
    for (int i = 0; i < 6; i++) {
        Py_XDECREF(lists[i]);
    }
    return result;
}

static PyObject *
configure_remittance(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *objects[4];
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "configure_remittance: configure() first");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "O!O!O!O!", &PyType_Type, &objects[0], &PyType_Type, &objects[1], &PyType_Type,
                          &objects[2], &PyType_Type, &objects[3])) {
        return NULL;
    }
    PyObject **targets[4] = {&service_payment_type, &adjustment, &amount, &remark};
    keep(targets, objects, 4);
    remittance_configured = 1;
    Py_RETURN_NONE;
}

/* ---- name loops: party_of ---------------------------------------------------------------------------------- */



/* party_of(loop) for a name loop that starts with NM1 (common.party_of: NM1, then N3/N4, REF and PER of the same
 * loop; other segments are not the party's).  Any other loop is handed to the Python party_of. */
static PyObject *
party(PyObject *module, PyObject *loop)
{
    (void)module;
    if (!parties_configured) {
        PyErr_SetString(PyExc_RuntimeError, "party: configure_parties() was not called");
        return NULL;
    }
    if (!regular_segments(loop, 1) ||
        !same_id(SLOT(PyList_GET_ITEM(SLOT(loop, loop_segments), 0), segment_id), s_nm1)) {
        return PyObject_CallOneArg(python_party_of, loop); /* N1 parties, and whatever else */
    }
    PyObject *segments = SLOT(loop, loop_segments);
    Py_ssize_t count = PyList_GET_SIZE(segments);
    PyObject *address = Py_NewRef(Py_None), *references = NULL, *contacts = NULL, *result = NULL, *number = NULL;
    PyObject *n3 = NULL; /* borrowed */
    for (Py_ssize_t i = 1; i < count; i++) {
        PyObject *segment = PyList_GET_ITEM(segments, i);
        PyObject *sid = SLOT(segment, segment_id), *e = SLOT(segment, segment_elements);
        if (same_id(sid, s_n3)) {
            n3 = segment;
        }
        else if (same_id(sid, s_n4)) {
            PyObject *street = n3 != NULL ? SLOT(n3, segment_elements) : NULL;
            PyObject *at = number_ref((n3 != NULL ? n3 : segment));
            if (at == NULL) {
                goto done;
            }
            PyObject *args[7] = {street != NULL ? element(street, 0) : empty, street != NULL ? element(street, 1) : empty,
                                 element(e, 0), element(e, 1), element(e, 2), element(e, 3), at};
            PyObject *made = call(address_type, args, 7);
            Py_DECREF(at);
            if (made == NULL) {
                goto done;
            }
            Py_SETREF(address, made);
        }
        else if (same_id(sid, s_ref) || same_id(sid, s_per)) {
            int is_ref = same_id(sid, s_ref);
            PyObject **list = is_ref ? &references : &contacts;
            if (*list == NULL && (*list = PyList_New(0)) == NULL) {
                goto done;
            }
            PyObject *item = is_ref ? reference_of(segment) : PyObject_CallOneArg(contact_of, segment);
            if (item == NULL) {
                goto done;
            }
            int appended = PyList_Append(*list, item);
            Py_DECREF(item);
            if (appended < 0) {
                goto done;
            }
        }
        if (PyErr_Occurred()) {
            goto done;
        }
    }
    {
        PyObject *start = PyList_GET_ITEM(segments, 0);
        PyObject *e = SLOT(start, segment_elements);
        if ((number = number_ref((start))) == NULL) {
            goto done;
        }
        if (contacts != NULL && references == NULL && (references = PyList_New(0)) == NULL) {
            goto done;
        }
        PyObject *args[12] = {element(e, 0), element(e, 1), element(e, 2), element(e, 3), element(e, 4),
                              element(e, 6), element(e, 7), element(e, 8), number, address, references, contacts};
        result = call(party_type, args, contacts != NULL ? 12 : references != NULL ? 11 : address != Py_None ? 10 : 9);
    }
done:
    Py_XDECREF(address);
    Py_XDECREF(references);
    Py_XDECREF(contacts);
    Py_XDECREF(number);
    return result;
}

static PyObject *
configure_parties(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *objects[4];
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "configure_parties: configure() first");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "O!O!OO", &PyType_Type, &objects[0], &PyType_Type, &objects[1], &objects[2],
                          &objects[3])) {
        return NULL;
    }
    PyObject **targets[4] = {&party_type, &address_type, &contact_of, &python_party_of};
    keep(targets, objects, 4);
    parties_configured = 1;
    Py_RETURN_NONE;
}

/* ---- 837 claim (2300) ------------------------------------------------------------------------------------------ */


/* code_entries_of(HI segment) appended to out. */
static int
add_code_entries(PyObject *out, PyObject *segment, PyObject *component)
{
    PyObject *e = SLOT(segment, segment_elements);
    PyObject *at = number_ref((segment));
    if (at == NULL) {
        return -1;
    }
    int failed = 0;
    for (Py_ssize_t i = 0; !failed && i < PyList_GET_SIZE(e); i++) {
        PyObject *value = PyList_GET_ITEM(e, i);
        if (PyUnicode_GET_LENGTH(value) == 0) {
            continue;
        }
        PyObject *p = PyUnicode_Split(value, component, -1);
        if (p == NULL) {
            failed = 1;
            break;
        }
        PyObject *entry;
        if (PyList_GET_SIZE(p) == 2) {
            PyObject *args[8] = {element(p, 0), element(p, 1), empty, empty, Py_None, Py_None, empty, at};
            entry = call(code_entry, args, 8);
        }
        else {
            PyObject *amount_value = money_value(element(p, 4));
            PyObject *quantity = amount_value != NULL ? money_value(element(p, 5)) : NULL;
            if (quantity == NULL) {
                Py_XDECREF(amount_value);
                Py_DECREF(p);
                failed = 1;
                break;
            }
            PyObject *args[8] = {element(p, 0), element(p, 1), element(p, 2), element(p, 3), amount_value, quantity,
                                 element(p, 8), at};
            entry = call(code_entry, args, 8);
            Py_DECREF(amount_value);
            Py_DECREF(quantity);
        }
        Py_DECREF(p);
        if (entry == NULL || PyList_Append(out, entry) < 0) {
            failed = 1;
        }
        Py_XDECREF(entry);
    }
    Py_DECREF(at);
    return failed ? -1 : 0;
}

/* Append item to the list *slot, made when first needed; takes the reference to item. */
static int
append_new(PyObject **slot, PyObject *item)
{
    if (item == NULL) {
        return -1;
    }
    if (*slot == NULL && (*slot = PyList_New(0)) == NULL) {
        Py_DECREF(item);
        return -1;
    }
    int failed = PyList_Append(*slot, item);
    Py_DECREF(item);
    return failed;
}

/* parse837._claim(loop, None, None, None): the claim as billed, its codes, dates, references, amounts, notes,
 * institutional codes, lines (the compiled line reader, else parse837._line), other payers (parse837._other_payer)
 * and providers (the name loop reader).  The hierarchy (billing provider, subscriber, patient) is placed by the
 * caller.  NotImplemented for a loop that does not start with CLM or holds segments not of the compiled class. */
static PyObject *
claim(PyObject *module, PyObject *loop)
{
    if (!claims_configured || !professional_configured || !parties_configured) {
        PyErr_SetString(PyExc_RuntimeError, "claim: configure_claims() was not called");
        return NULL;
    }
    if (!regular_segments(loop, 1)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    PyObject *segments = SLOT(loop, loop_segments), *children = SLOT(loop, loop_children);
    Py_ssize_t count = PyList_GET_SIZE(segments);
    PyObject *clm = PyList_GET_ITEM(segments, 0);
    PyObject *e = SLOT(clm, segment_elements);
    Py_ssize_t n = PyList_GET_SIZE(e);
    PyObject *component = NULL, *charge = NULL, *facility = NULL, *causes = NULL, *number = NULL, *result = NULL;
    PyObject *codes = NULL, *dates = NULL, *references = NULL, *amounts = NULL, *notes = NULL, *institutional = NULL;
    PyObject *providers = NULL, *others = NULL, *lines = NULL;
    if ((component = PyObject_GetAttr(SLOT(clm, segment_delimiters), s_component)) == NULL ||
        (charge = amount_or_zero(element(e, 1))) == NULL || (number = number_ref((clm))) == NULL ||
        (codes = PyList_New(0)) == NULL || (dates = PyList_New(0)) == NULL || (references = PyList_New(0)) == NULL ||
        (lines = PyList_New(0)) == NULL) {
        goto done;
    }
    facility = PyUnicode_GET_LENGTH(element(e, 4)) > 0 ? PyUnicode_Split(element(e, 4), component, -1)
                                                        : PyList_New(0);
    if (facility == NULL) {
        goto done;
    }
    causes = PyList_New(0);
    if (causes == NULL) {
        goto done;
    }
    if (n > 10 && PyUnicode_GET_LENGTH(element(e, 10)) > 0) {
        PyObject *parts = PyUnicode_Split(element(e, 10), component, -1);
        if (parts == NULL) {
            goto done;
        }
        for (Py_ssize_t i = 0; i < PyList_GET_SIZE(parts); i++) {
            PyObject *part = PyList_GET_ITEM(parts, i);
            if (PyUnicode_GET_LENGTH(part) > 0 && PyList_Append(causes, part) < 0) {
                Py_DECREF(parts);
                goto done;
            }
        }
        Py_DECREF(parts);
    }
    for (Py_ssize_t i = 1; i < count; i++) {
        PyObject *segment = PyList_GET_ITEM(segments, i);
        PyObject *sid = SLOT(segment, segment_id);
        int failed = 0;
        if (same_id(sid, s_hi)) {
            PyObject *own = PyObject_GetAttr(SLOT(segment, segment_delimiters), s_component);
            if (own == NULL) {
                goto done;
            }
            failed = add_code_entries(codes, segment, own);
            Py_DECREF(own);
        }
        else if (same_id(sid, s_dtp)) {
            failed = append_new(&dates, dtp_of(segment));
        }
        else if (same_id(sid, s_ref)) {
            failed = append_new(&references, reference_of(segment));
        }
        else if (same_id(sid, s_amt)) {
            PyObject *at = number_ref((segment));
            PyObject *value = at != NULL ? money_value(element(SLOT(segment, segment_elements), 1)) : NULL;
            if (value == NULL) {
                Py_XDECREF(at);
                goto done;
            }
            PyObject *args[3] = {element(SLOT(segment, segment_elements), 0), value, at};
            failed = append_new(&amounts, call(claim_amount, args, 3));
            Py_DECREF(value);
            Py_DECREF(at);
        }
        else if (same_id(sid, s_nte)) {
            failed = append_new(&notes, Py_NewRef(element(SLOT(segment, segment_elements), 1)));
        }
        else if (same_id(sid, s_cl1)) {
            PyObject *copy = PyList_GetSlice(SLOT(segment, segment_elements), 0, PY_SSIZE_T_MAX);
            if (copy == NULL) {
                goto done;
            }
            Py_XSETREF(institutional, copy);
        }
        if (failed || PyErr_Occurred()) {
            goto done;
        }
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(children); i++) {
        PyObject *child = PyList_GET_ITEM(children, i);
        PyObject *cid = SLOT(child, loop_id);
        if (cid != NULL && same_id(cid, s_2400)) {
            PyObject *line = professional_line(module, child);
            if (line == Py_NotImplemented) {
                Py_DECREF(line);
                line = PyObject_CallOneArg(python_line, child);
            }
            if (append_new(&lines, line) < 0) {
                goto done;
            }
        }
        else if (cid != NULL && same_id(cid, s_2320)) {
            if (append_new(&others, PyObject_CallOneArg(other_payer, child)) < 0) {
                goto done;
            }
        }
        else {
            PyObject *own = SLOT(child, loop_segments);
            if (own == NULL || !PyList_Check(own) || PyList_GET_SIZE(own) == 0) {
                continue;
            }
            PyObject *first = PyList_GET_ITEM(own, 0);
            PyObject *fid = PyObject_GetAttrString(first, "id");
            if (fid == NULL) {
                goto done;
            }
            int nm1 = PyUnicode_Check(fid) && same_id(fid, s_nm1);
            Py_DECREF(fid);
            if (!nm1) {
                continue;
            }
            PyObject *found = party(module, child);
            if (found == NULL) {
                goto done;
            }
            if (found != Py_None) {
                PyObject *entity = PyObject_GetAttrString(found, "entity");
                if (entity == NULL || (providers == NULL && (providers = PyDict_New()) == NULL) ||
                    PyDict_SetDefault(providers, entity, found) == NULL) {
                    Py_XDECREF(entity);
                    Py_DECREF(found);
                    goto done;
                }
                Py_DECREF(entity);
            }
            Py_DECREF(found);
        }
        if (PyErr_Occurred()) {
            goto done;
        }
    }
    while (PyList_GET_SIZE(facility) < 3) {
        if (PyList_Append(facility, empty) < 0) {
            goto done;
        }
    }
    {
        PyObject *args[19] = {element(e, 0), charge, PyList_GET_ITEM(facility, 0), PyList_GET_ITEM(facility, 1),
                              PyList_GET_ITEM(facility, 2), element(e, 5), element(e, 6), element(e, 7),
                              element(e, 8), causes, n > 11 ? element(e, 11) : empty, n > 19 ? element(e, 19) : empty,
                              number, Py_None, Py_None, Py_None, codes, dates, references};
        result = call(submitted_claim, args, 19);
    }
    if (result == NULL) {
        goto done;
    }
    struct {
        PyObject *name, *value;
    } later[6] = {{s_amounts, amounts}, {s_notes, notes}, {s_providers, providers}, {s_other_payers, others},
                  {s_lines, lines}, {s_institutional, institutional}};
    for (int i = 0; i < 6; i++) {
        if (later[i].value != NULL && PyObject_SetAttr(result, later[i].name, later[i].value) < 0) {
            Py_CLEAR(result);
            break;
        }
    }
done:
    Py_XDECREF(component);
    Py_XDECREF(charge);
    Py_XDECREF(facility);
    Py_XDECREF(causes);
    Py_XDECREF(number);
    Py_XDECREF(codes);
    Py_XDECREF(dates);
    Py_XDECREF(references);
    Py_XDECREF(amounts);
    Py_XDECREF(notes);
    Py_XDECREF(institutional);
    Py_XDECREF(providers);
    Py_XDECREF(others);
    Py_XDECREF(lines);
    return result;
}

static PyObject *
configure_claims(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *objects[5];
    if (!configured) {
        PyErr_SetString(PyExc_RuntimeError, "configure_claims: configure() first");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "O!O!O!OO", &PyType_Type, &objects[0], &PyType_Type, &objects[1], &PyType_Type,
                          &objects[2], &objects[3], &objects[4])) {
        return NULL;
    }
    PyObject **targets[5] = {&submitted_claim, &code_entry, &claim_amount, &python_line, &other_payer};
    keep(targets, objects, 5);
    if (s_hi == NULL) {
        s_hi = PyUnicode_InternFromString("HI");
        s_cl1 = PyUnicode_InternFromString("CL1");
        s_nte = PyUnicode_InternFromString("NTE");
        s_2400 = PyUnicode_InternFromString("2400");
        s_2320 = PyUnicode_InternFromString("2320");
        s_amounts = PyUnicode_InternFromString("amounts");
        s_notes = PyUnicode_InternFromString("notes");
        s_providers = PyUnicode_InternFromString("providers");
        s_other_payers = PyUnicode_InternFromString("other_payers");
        s_lines = PyUnicode_InternFromString("lines");
        s_institutional = PyUnicode_InternFromString("institutional");
        if (s_hi == NULL || s_cl1 == NULL || s_nte == NULL || s_2400 == NULL || s_2320 == NULL || s_amounts == NULL ||
            s_notes == NULL || s_providers == NULL || s_other_payers == NULL || s_lines == NULL ||
            s_institutional == NULL) {
            return NULL;
        }
    }
    claims_configured = 1;
    Py_RETURN_NONE;
}

/* ---- 835 claim payment (2100) ---------------------------------------------------------------------------------- */

/* Party.of_nm1(segment) */
static PyObject *
party_of_nm1(PyObject *segment)
{
    PyObject *e = SLOT(segment, segment_elements);
    PyObject *number = number_ref((segment));
    if (number == NULL) {
        return NULL;
    }
    PyObject *args[9] = {element(e, 0), element(e, 1), element(e, 2), element(e, 3), element(e, 4), element(e, 6),
                         element(e, 7), element(e, 8), number};
    PyObject *result = call(party_type, args, 9);
    Py_DECREF(number);
    return result;
}

/* Amount.of / Quantity.of: (qualifier, money(value), number) of that class */
static PyObject *
qualified_amount(PyObject *type, PyObject *segment)
{
    PyObject *e = SLOT(segment, segment_elements);
    PyObject *number = number_ref((segment));
    PyObject *value = number != NULL ? money_value(element(e, 1)) : NULL;
    if (value == NULL) {
        Py_XDECREF(number);
        return NULL;
    }
    PyObject *args[3] = {element(e, 0), value, number};
    PyObject *result = call(type, args, 3);
    Py_DECREF(value);
    Py_DECREF(number);
    return result;
}

/* x835 parsing._claim(loop, ""): the claim payment with its adjustments, parties (the first of each role), dates,
 * references, amounts, quantities, MIA/MOA and service payments (the compiled reader, else the Python _service).
 * NotImplemented for a loop that holds segments not of the compiled class. */
static PyObject *
claim_payment(PyObject *module, PyObject *loop)
{
    if (!claim_payments_configured || !remittance_configured || !parties_configured) {
        PyErr_SetString(PyExc_RuntimeError, "claim_payment: configure_claim_payments() was not called");
        return NULL;
    }
    if (!regular_segments(loop, 1)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    PyObject *segments = SLOT(loop, loop_segments), *children = SLOT(loop, loop_children);
    Py_ssize_t count = PyList_GET_SIZE(segments);
    PyObject *clp = PyList_GET_ITEM(segments, 0);
    PyObject *e = SLOT(clp, segment_elements);
    Py_ssize_t n = PyList_GET_SIZE(e);
    PyObject *fields[5] = {NULL, NULL, NULL, NULL, NULL}; /* charge, paid, patient share, weight, fraction */
    PyObject *number = NULL, *parties = NULL, *result = NULL, *inpatient = NULL, *outpatient = NULL;
    PyObject *lists[6] = {NULL, NULL, NULL, NULL, NULL, NULL}; /* adjustments, references, dates, amounts, qty, svc */
    if ((fields[0] = amount_or_zero(element(e, 2))) == NULL || (fields[1] = amount_or_zero(element(e, 3))) == NULL ||
        (fields[2] = money_value(element(e, 4))) == NULL ||
        (fields[3] = n > 11 ? money_value(element(e, 11)) : Py_NewRef(Py_None)) == NULL ||
        (fields[4] = n > 12 ? money_value(element(e, 12)) : Py_NewRef(Py_None)) == NULL ||
        (number = number_ref((clp))) == NULL || (parties = PyDict_New()) == NULL) {
        goto done;
    }
    for (Py_ssize_t i = 1; i < count; i++) {
        PyObject *segment = PyList_GET_ITEM(segments, i);
        PyObject *sid = SLOT(segment, segment_id);
        int failed = 0;
        if (same_id(sid, s_cas)) {
            if (lists[0] == NULL && (lists[0] = PyList_New(0)) == NULL) {
                goto done;
            }
            failed = add_adjustments(lists[0], segment);
        }
        else if (same_id(sid, s_nm1)) {
            PyObject *role = PyDict_GetItemWithError(claim_roles, element(SLOT(segment, segment_elements), 0));
            if (role == NULL) {
                if (PyErr_Occurred()) {
                    goto done;
                }
                continue;
            }
            if (PyDict_GetItemWithError(parties, role) != NULL) {
                continue; /* the first of each role counts */
            }
            PyObject *found = PyErr_Occurred() ? NULL : party_of_nm1(segment);
            failed = found == NULL || PyDict_SetItem(parties, role, found) < 0;
            Py_XDECREF(found);
        }
        else if (same_id(sid, s_ref)) {
            failed = append_new(&lists[1], reference_of(segment));
        }
        else if (same_id(sid, s_dtm)) {
            failed = append_new(&lists[2], dtm_of(segment));
        }
        else if (same_id(sid, s_amt)) {
            failed = append_new(&lists[3], qualified_amount(amount, segment));
        }
        else if (same_id(sid, s_qty)) {
            failed = append_new(&lists[4], qualified_amount(quantity_type, segment));
        }
        else if (same_id(sid, s_mia) || same_id(sid, s_moa)) {
            PyObject *copy = PyList_GetSlice(SLOT(segment, segment_elements), 0, PY_SSIZE_T_MAX);
            if (copy == NULL) {
                goto done;
            }
            if (same_id(sid, s_mia)) {
                Py_XSETREF(inpatient, copy);
            }
            else {
                Py_XSETREF(outpatient, copy);
            }
        }
        if (failed || PyErr_Occurred()) {
            goto done;
        }
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(children); i++) {
        PyObject *child = PyList_GET_ITEM(children, i);
        PyObject *cid = SLOT(child, loop_id);
        if (cid == NULL || !PyUnicode_Check(cid) || !same_id(cid, s_2110)) {
            continue;
        }
        PyObject *service = service_payment(module, child);
        if (service == Py_NotImplemented) {
            Py_DECREF(service);
            service = PyObject_CallOneArg(python_service, child);
        }
        if (append_new(&lists[5], service) < 0) {
            goto done;
        }
    }
    {
        PyObject *args[15] = {element(e, 0), element(e, 1), fields[0], fields[1], fields[2], element(e, 5),
                              element(e, 6), element(e, 7), element(e, 8), n > 10 ? element(e, 10) : empty,
                              fields[3], fields[4], number, empty, lists[0]};
        result = call(claim_payment_type, args, lists[0] != NULL ? 15 : 14);
    }
    if (result == NULL) {
        goto done;
    }
    {
        PyObject *role, *found;
        Py_ssize_t at = 0;
        while (PyDict_Next(parties, &at, &role, &found)) {
            if (PyObject_SetAttr(result, role, found) < 0) {
                Py_CLEAR(result);
                goto done;
            }
        }
    }
    struct {
        PyObject *name, *value;
    } later[7] = {{s_inpatient, inpatient}, {s_outpatient, outpatient}, {s_references, lists[1]},
                  {s_dates, lists[2]},      {s_amounts, lists[3]},      {s_quantities, lists[4]},
                  {s_services, lists[5]}};
    for (int i = 0; i < 7; i++) {
        if (later[i].value != NULL && PyObject_SetAttr(result, later[i].name, later[i].value) < 0) {
            Py_CLEAR(result);
            break;
        }
    }
done:
    for (int i = 0; i < 5; i++) {
        Py_XDECREF(fields[i]);
    }
    for (int i = 0; i < 6; i++) {
        Py_XDECREF(lists[i]);
    }
    Py_XDECREF(number);
    Py_XDECREF(parties);
    Py_XDECREF(inpatient);
    Py_XDECREF(outpatient);
    return result;
}

static PyObject *
configure_claim_payments(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *objects[4];
    if (!remittance_configured || !parties_configured) {
        PyErr_SetString(PyExc_RuntimeError, "configure_claim_payments: configure_remittance() and _parties() first");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "O!O!O!O", &PyType_Type, &objects[0], &PyType_Type, &objects[1], &PyDict_Type,
                          &objects[2], &objects[3])) {
        return NULL;
    }
    PyObject **targets[4] = {&claim_payment_type, &quantity_type, &claim_roles, &python_service};
    keep(targets, objects, 4);
    if (s_qty == NULL) {
        s_qty = PyUnicode_InternFromString("QTY");
        s_mia = PyUnicode_InternFromString("MIA");
        s_moa = PyUnicode_InternFromString("MOA");
        s_2110 = PyUnicode_InternFromString("2110");
        s_inpatient = PyUnicode_InternFromString("inpatient");
        s_outpatient = PyUnicode_InternFromString("outpatient");
        s_references = PyUnicode_InternFromString("references");
        s_dates = PyUnicode_InternFromString("dates");
        s_quantities = PyUnicode_InternFromString("quantities");
        s_services = PyUnicode_InternFromString("services");
        if (s_amounts == NULL) {
            s_amounts = PyUnicode_InternFromString("amounts");
        }
        if (s_qty == NULL || s_mia == NULL || s_moa == NULL || s_2110 == NULL || s_inpatient == NULL ||
            s_outpatient == NULL || s_references == NULL || s_dates == NULL || s_quantities == NULL ||
            s_services == NULL || s_amounts == NULL) {
            return NULL;
        }
    }
    claim_payments_configured = 1;
    Py_RETURN_NONE;
}

/* ---- 837 subscriber (2000B) ------------------------------------------------------------------------------------ */

/* The loop's first own segment with that id (borrowed), or NULL. */
static PyObject *
first_of(PyObject *loop, PyObject *name)
{
    PyObject *segments = SLOT(loop, loop_segments);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(segments); i++) {
        PyObject *segment = PyList_GET_ITEM(segments, i);
        if (same_id(SLOT(segment, segment_id), name)) {
            return segment;
        }
    }
    return NULL;
}

/* parse837._subscriber(loop): HL, SBR, the person (2010BA, with DMG birth date and gender) and the payer (2010BB).
 * NotImplemented for loops whose segments (or whose name loops' segments) are not of the compiled class. */
static PyObject *
subscriber(PyObject *module, PyObject *loop)
{
    if (subscriber_type == NULL || !parties_configured) {
        PyErr_SetString(PyExc_RuntimeError, "subscriber: configure_subscribers() was not called");
        return NULL;
    }
    if (!regular_segments(loop, 1)) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    /* only the name loops read here are checked (the claims under the subscriber are not this reader's) */
    PyObject *children = SLOT(loop, loop_children);
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(children); i++) {
        PyObject *child = PyList_GET_ITEM(children, i);
        PyObject *cid = SLOT(child, loop_id);
        if (cid != NULL && PyUnicode_Check(cid) && (same_id(cid, s_2010ba) || same_id(cid, s_2010bb)) &&
            !regular_segments(child, 0)) {
            Py_RETURN_NOTIMPLEMENTED;
        }
    }
    PyObject *hl = PyList_GET_ITEM(SLOT(loop, loop_segments), 0);
    PyObject *sbr = first_of(loop, s_sbr);
    PyObject *e = sbr != NULL ? SLOT(sbr, segment_elements) : NULL;
    PyObject *person = Py_NewRef(Py_None), *payer = Py_NewRef(Py_None), *birth = Py_NewRef(Py_None);
    PyObject *gender = Py_NewRef(empty), *number = NULL, *result = NULL;
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(children); i++) {
        PyObject *child = PyList_GET_ITEM(children, i);
        PyObject *cid = SLOT(child, loop_id);
        if (cid == NULL || !PyUnicode_Check(cid)) {
            continue;
        }
        if (same_id(cid, s_2010ba)) {
            PyObject *found = party(module, child);
            if (found == NULL) {
                goto done;
            }
            Py_SETREF(person, found);
            PyObject *dmg = first_of(child, s_dmg);
            if (dmg != NULL) {
                PyObject *de = SLOT(dmg, segment_elements);
                PyObject *day = day_of(element(de, 1));
                if (day == NULL) {
                    goto done;
                }
                Py_SETREF(birth, day);
                Py_INCREF(element(de, 2));
                Py_SETREF(gender, element(de, 2));
            }
            else {
                Py_SETREF(birth, Py_NewRef(Py_None));
                Py_SETREF(gender, Py_NewRef(empty));
            }
        }
        else if (same_id(cid, s_2010bb)) {
            PyObject *found = party(module, child);
            if (found == NULL) {
                goto done;
            }
            Py_SETREF(payer, found);
        }
        if (PyErr_Occurred()) {
            goto done;
        }
    }
    if ((number = number_ref((hl))) == NULL) {
        goto done;
    }
    {
        PyObject *none = empty;
        PyObject *args[12] = {element(SLOT(hl, segment_elements), 0), e ? element(e, 0) : none,
                              e ? element(e, 1) : none, e ? element(e, 2) : none, e ? element(e, 3) : none,
                              e ? element(e, 4) : none, e ? element(e, 8) : none, number, person, birth, gender, payer};
        result = call(subscriber_type, args, 12);
    }
done:
    Py_XDECREF(person);
    Py_XDECREF(payer);
    Py_XDECREF(birth);
    Py_XDECREF(gender);
    Py_XDECREF(number);
    return result;
}

static PyObject *
configure_subscribers(PyObject *module, PyObject *args)
{
    (void)module;
    PyObject *type;
    if (!parties_configured) {
        PyErr_SetString(PyExc_RuntimeError, "configure_subscribers: configure_parties() first");
        return NULL;
    }
    if (!PyArg_ParseTuple(args, "O!", &PyType_Type, &type)) {
        return NULL;
    }
    if (s_sbr == NULL) {
        s_sbr = PyUnicode_InternFromString("SBR");
        s_dmg = PyUnicode_InternFromString("DMG");
        s_2010ba = PyUnicode_InternFromString("2010BA");
        s_2010bb = PyUnicode_InternFromString("2010BB");
        if (s_sbr == NULL || s_dmg == NULL || s_2010ba == NULL || s_2010bb == NULL) {
            return NULL;
        }
    }
    Py_INCREF(type);
    Py_XSETREF(subscriber_type, type);
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS, "configure(Loop, Segment, Procedure, DateValue, Reference, ZERO, ...)"},
    {"configure_professional", configure_professional, METH_VARARGS,
     "configure_professional(ServiceLine, pointer_cache, diagnosis_pointers, rd8_date), after configure()"},
    {"professional_line", professional_line, METH_O, "professional_line(loop) -> ServiceLine | NotImplemented"},
    {"configure_remittance", configure_remittance, METH_VARARGS,
     "configure_remittance(ServicePayment, Adjustment, Amount, Remark), after configure()"},
    {"service_payment", service_payment, METH_O, "service_payment(loop) -> ServicePayment | NotImplemented"},
    {"configure_parties", configure_parties, METH_VARARGS,
     "configure_parties(Party, Address, Contact.of, party_of), after configure()"},
    {"party", party, METH_O, "party(loop) -> Party | None, as common.party_of"},
    {"configure_claims", configure_claims, METH_VARARGS,
     "configure_claims(SubmittedClaim, CodeEntry, Amount, _line, _other_payer), after the others"},
    {"claim", claim, METH_O, "claim(loop) -> SubmittedClaim | NotImplemented, as parse837._claim"},
    {"configure_claim_payments", configure_claim_payments, METH_VARARGS,
     "configure_claim_payments(ClaimPayment, Quantity, roles, _service), after the others"},
    {"claim_payment", claim_payment, METH_O, "claim_payment(loop) -> ClaimPayment | NotImplemented"},
    {"configure_subscribers", configure_subscribers, METH_VARARGS, "configure_subscribers(Subscriber)"},
    {"subscriber", subscriber, METH_O, "subscriber(loop) -> Subscriber | NotImplemented, as parse837._subscriber"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "rcm.x12._lines", "Compiled readers of regular 837P service line and 835 service payment loops.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__lines(void)
{
    PyDateTime_IMPORT;
    if (PyDateTimeAPI == NULL) {
        return NULL;
    }
    return PyModule_Create(&module);
}
