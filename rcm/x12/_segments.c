/*
 * Compiled inner loop of the X12 tokenizer (rcm/x12/tokenizer.py), for the regular case only: one byte per
 * character, a text whose segments are the pieces between one separator (the terminator, with the same line
 * break after each or none).  It reads those pieces straight from the text into Segment objects (of the compiled
 * Segment class defined here, with the same values as the Python loop gives) and stops at the first piece that
 * needs the Python code (an ISA after the first segment, or prose with an id longer than three characters),
 * handing back where it stopped.  The Python loop stays the reference: tests compare both on every sample file,
 * on the benchmark's files and on random texts, in chunks of several sizes.
 *
 * split_text(text, position, limit, separator, element, number, offset, delimiters, out, marks)
 *     -> (position reached, number, offset)
 */
#include "_slots.h"

static PyTypeObject *segment_type = NULL; /* the class split_pieces builds: the compiled Segment below */
static PyObject *envelope_ids = NULL; /* frozenset of segment ids whose index goes into marks */

/*
 * The compiled Segment: the same attributes as the Python class in rcm/x12/tokenizer.py (which adds the
 * methods written in Python), but the byte offset is kept as a C integer (offsets are always past the small-int
 * cache and rarely read; the number is kept as an int object, shared by every record read from the segment) and
 * the object is not tracked by the cyclic garbage collector (a segment refers to its id, its elements, its
 * number and its delimiters, which never refer back to it), so making and freeing one is one small allocation
 * fewer and no collector bookkeeping.  A file's segments are the most numerous objects a parse makes.
 */
typedef struct {
    PyObject_HEAD
    PyObject *id;
    PyObject *elements;
    PyObject *delimiters;
    PyObject *number;
    Py_ssize_t offset;
} SegmentObject;

static PyObject *default_delimiters = NULL; /* Segment(...) without delimiters= gets these */

static void
segment_dealloc(PyObject *self)
{
    SegmentObject *segment = (SegmentObject *)self;
    PyTypeObject *type = Py_TYPE(self);
    Py_XDECREF(segment->id);
    Py_XDECREF(segment->elements);
    Py_XDECREF(segment->delimiters);
    Py_XDECREF(segment->number);
    PyObject_Free(self);
    Py_DECREF(type);
}

/* A new segment of the compiled type: takes the reference to number always, those to id and elements when it
 * succeeds (borrows delimiters). */
static PyObject *
segment_make(PyTypeObject *type, PyObject *id, PyObject *elements, PyObject *number, Py_ssize_t offset,
             PyObject *delimiters)
{
    SegmentObject *segment = PyObject_Malloc(sizeof(SegmentObject));
    if (segment == NULL) {
        Py_DECREF(number);
        return PyErr_NoMemory();
    }
    PyObject_Init((PyObject *)segment, type);
    segment->id = id;
    segment->elements = elements;
    Py_INCREF(delimiters);
    segment->delimiters = delimiters;
    segment->number = number;
    segment->offset = offset;
    return (PyObject *)segment;
}

static PyObject *
segment_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *keywords[] = {"id", "elements", "number", "offset", "delimiters", NULL};
    PyObject *id, *elements, *number = NULL, *delimiters = default_delimiters;
    Py_ssize_t offset = 0;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|OnO:Segment", keywords, &id, &elements, &number, &offset,
                                     &delimiters)) {
        return NULL;
    }
    if (delimiters == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "Segment: no default delimiters");
        return NULL;
    }
    number = number != NULL ? Py_NewRef(number) : PyLong_FromLong(0);
    if (number == NULL) {
        return NULL;
    }
    Py_INCREF(id);
    Py_INCREF(elements);
    PyObject *segment = segment_make(type, id, elements, number, offset, delimiters);
    if (segment == NULL) {
        Py_DECREF(id);
        Py_DECREF(elements);
    }
    return segment;
}

/* get(n): element n (1-based, as in CLP04), "" when absent (the model builders' most frequent call). */
static PyObject *
segment_get(PyObject *self, PyObject *arg)
{
    Py_ssize_t n = PyLong_AsSsize_t(arg);
    if (n == -1 && PyErr_Occurred()) {
        return NULL;
    }
    PyObject *elements = ((SegmentObject *)self)->elements;
    if (elements == NULL) {
        PyErr_SetString(PyExc_AttributeError, "elements");
        return NULL;
    }
    PyObject *value;
    if (PyList_CheckExact(elements)) {
        if (n > 0 && n <= PyList_GET_SIZE(elements)) {
            value = PyList_GET_ITEM(elements, n - 1);
            Py_INCREF(value);
            return value;
        }
        return PyUnicode_FromStringAndSize("", 0);
    }
    Py_ssize_t size = PyObject_Size(elements);
    if (size < 0) {
        return NULL;
    }
    return n > 0 && n <= size ? PySequence_GetItem(elements, n - 1) : PyUnicode_FromStringAndSize("", 0);
}

static PyMemberDef segment_members[] = {
    {"id", T_OBJECT_EX, offsetof(SegmentObject, id), 0, "the segment id (ISA, CLM, SV1...)"},
    {"elements", T_OBJECT_EX, offsetof(SegmentObject, elements), 0, "the elements after the id"},
    {"delimiters", T_OBJECT_EX, offsetof(SegmentObject, delimiters), 0, "the delimiters it was read with"},
    {"number", T_OBJECT_EX, offsetof(SegmentObject, number), 0, "1-based segment number in the file"},
    {"offset", T_PYSSIZET, offsetof(SegmentObject, offset), 0, "byte offset in the file"},
    {NULL, 0, 0, 0, NULL},
};

static PyMethodDef segment_methods[] = {
    {"get", segment_get, METH_O, "Element n (1-based, as in CLP04), \"\" when absent."},
    {NULL, NULL, 0, NULL},
};

static PyType_Slot segment_slots[] = {
    {Py_tp_dealloc, segment_dealloc},
    {Py_tp_new, segment_new},
    {Py_tp_members, segment_members},
    {Py_tp_methods, segment_methods},
    {0, NULL},
};

/* segment_class(name, default_delimiters): a new compiled Segment class (tokenizer.py adds the Python methods). */
static PyObject *
segment_class(PyObject *module, PyObject *args)
{
    (void)module;
    const char *name;
    PyObject *delimiters;
    if (!PyArg_ParseTuple(args, "sO", &name, &delimiters)) {
        return NULL;
    }
    PyType_Spec spec = {name, sizeof(SegmentObject), 0, Py_TPFLAGS_DEFAULT, segment_slots};
    PyObject *type = PyType_FromSpec(&spec);
    if (type == NULL) {
        return NULL;
    }
    Py_INCREF(delimiters);
    Py_XSETREF(default_delimiters, delimiters);
    return type;
}

/*
 * Segment ids repeat on every line of a file (a few dozen distinct ones), so each distinct id of up to three
 * one-byte characters is made once, interned, and shared by every segment that has it: no string to allocate
 * per segment, and the loop engine's and the model builders' lookups by id then meet the same object.  The
 * table is keyed by the id's bytes packed into an integer (open addressing, never full: at most 256 ids are
 * kept; past that, ids are made per segment as before).
 */
#define ID_TABLE_SIZE 512
#define ID_TABLE_LIMIT 256
static unsigned long id_keys[ID_TABLE_SIZE];
static PyObject *id_values[ID_TABLE_SIZE];
static int id_count = 0;

/* A new reference to the id string of these bytes (length 0-3, one-byte characters). */
static PyObject *
segment_id(PyObject *piece, Py_ssize_t origin, const Py_UCS1 *text, Py_ssize_t length)
{
    unsigned long key = (unsigned long)length; /* the length in the low byte, then the characters */
    for (Py_ssize_t i = 0; i < length; i++) {
        key |= (unsigned long)text[i] << (8 * (i + 1));
    }
    unsigned long slot = (key * 2654435761UL) % ID_TABLE_SIZE;
    while (id_values[slot] != NULL) {
        if (id_keys[slot] == key) {
            Py_INCREF(id_values[slot]);
            return id_values[slot];
        }
        slot = (slot + 1) % ID_TABLE_SIZE;
    }
    PyObject *sid = PyUnicode_Substring(piece, origin, origin + length);
    if (sid == NULL || id_count >= ID_TABLE_LIMIT || !PyUnicode_CheckExact(sid)) {
        return sid;
    }
    PyUnicode_InternInPlace(&sid);
    Py_INCREF(sid); /* the table's reference, kept for the life of the process */
    id_keys[slot] = key;
    id_values[slot] = sid;
    id_count++;
    return sid;
}

/*
 * Element values repeat too: qualifiers ("HC", "UN", "DK"), codes, dates and amounts recur from claim to claim.
 * A direct-mapped cache of the last value seen per slot, for values of two to eight one-byte characters,
 * hands the same string object to every element with those characters (one-character and empty strings are
 * shared by CPython already).  Most elements of a regular file then allocate nothing: reading segments gets
 * faster and a transaction's segments take less memory (with the lazy containers of _records.c, parse peak
 * RSS on the 5 MB bench files went from 65 to 54 MB).
 * A slot whose key differs is replaced; the cache keeps at most VALUE_CACHE_SIZE short strings alive.
 */
#define VALUE_CACHE_BITS 13
#define VALUE_CACHE_SIZE (1 << VALUE_CACHE_BITS)
#define VALUE_CACHE_LONGEST 8
static unsigned long long value_keys[VALUE_CACHE_SIZE];
static unsigned char value_lengths[VALUE_CACHE_SIZE];
static PyObject *value_objects[VALUE_CACHE_SIZE];

/* A new reference to piece[origin + start:origin + end] (one-byte characters, those of the segment at text). */
static PyObject *
element_value(PyObject *piece, Py_ssize_t origin, const Py_UCS1 *text, Py_ssize_t start, Py_ssize_t end)
{
    const Py_ssize_t length = end - start;
    if (length < 2 || length > VALUE_CACHE_LONGEST) {
        return PyUnicode_Substring(piece, origin + start, origin + end);
    }
    unsigned long long key = 0;
    memcpy(&key, text + start, (size_t)length);
    const size_t slot = (size_t)(((key ^ (unsigned long long)length) * 0x9E3779B97F4A7C15ULL) >>
                                 (64 - VALUE_CACHE_BITS));
    PyObject *cached = value_objects[slot];
    if (cached != NULL && value_keys[slot] == key && value_lengths[slot] == (unsigned char)length) {
        Py_INCREF(cached);
        return cached;
    }
    PyObject *value = PyUnicode_Substring(piece, origin + start, origin + end);
    if (value == NULL || !PyUnicode_CheckExact(value)) {
        return value;
    }
    Py_INCREF(value); /* the cache's reference */
    Py_XSETREF(value_objects[slot], value);
    value_keys[slot] = key;
    value_lengths[slot] = (unsigned char)length;
    return value;
}

static PyObject *
configure(PyObject *module, PyObject *args)
{
    (void)module;
    PyTypeObject *type;
    PyObject *ids;
    if (!PyArg_ParseTuple(args, "O!O!", &PyType_Type, &type, &PyFrozenSet_Type, &ids)) {
        return NULL;
    }
    if (type->tp_dealloc != segment_dealloc) {
        PyErr_SetString(PyExc_TypeError, "split_pieces builds the compiled Segment class only");
        return NULL;
    }
    Py_INCREF(type);
    Py_XSETREF(segment_type, type);
    PyObject *iterator = PyObject_GetIter(ids), *id;
    if (iterator == NULL) {
        return NULL;
    }
    while ((id = PyIter_Next(iterator)) != NULL) {
        /* split_pieces looks ids up only when they could be one of these (see the check there) */
        int fits = PyUnicode_Check(id) && PyUnicode_GET_LENGTH(id) >= 2 &&
                   (PyUnicode_READ_CHAR(id, 0) == 'I' || PyUnicode_READ_CHAR(id, 0) == 'G' ||
                    PyUnicode_READ_CHAR(id, 0) == 'S');
        Py_DECREF(id);
        if (!fits) {
            Py_DECREF(iterator);
            PyErr_SetString(PyExc_TypeError, "envelope ids must start with I, G or S");
            return NULL;
        }
    }
    Py_DECREF(iterator);
    if (PyErr_Occurred()) {
        return NULL;
    }
    Py_INCREF(ids);
    Py_XSETREF(envelope_ids, ids);
    Py_RETURN_NONE;
}

/*
 * One segment from the one-byte characters text[0:length] (source[origin:origin + length]), appended to out (its
 * index to marks when it is an envelope segment): 1 done, 0 for the Python loop (prose, or another ISA), -1 error.
 * *number is the number of the last segment made.
 */
static int
one_segment(PyObject *source, Py_ssize_t origin, const Py_UCS1 *text, Py_ssize_t length, Py_UCS1 sep,
            Py_ssize_t *number, Py_ssize_t offset, PyObject *delimiters, PyObject *out, PyObject *marks)
{
    const Py_UCS1 *found = memchr(text, sep, (size_t)length);
    const Py_ssize_t id_length = found ? (Py_ssize_t)(found - text) : length;
    if (id_length > 3) {
        return 0; /* prose, or another interchange hiding in it */
    }
    if (id_length == 3 && *number != 0 && text[0] == 'I' && text[1] == 'S' && text[2] == 'A') {
        return 0; /* another interchange: delimiters may change */
    }
    /* the elements after the id */
    Py_ssize_t element_count = 0;
    for (const Py_UCS1 *p = found; p != NULL;) {
        element_count++;
        p = memchr(p + 1, sep, (size_t)(length - (p + 1 - text)));
    }
    PyObject *elements = PyList_New(element_count);
    if (elements == NULL) {
        return -1;
    }
    Py_ssize_t start = id_length + 1, k = 0;
    while (k < element_count) {
        const Py_UCS1 *next = memchr(text + start, sep, (size_t)(length - start));
        Py_ssize_t end = next ? (Py_ssize_t)(next - text) : length;
        PyObject *value = element_value(source, origin, text, start, end);
        if (value == NULL) {
            Py_DECREF(elements);
            return -1;
        }
        PyList_SET_ITEM(elements, k, value);
        k++;
        start = end + 1;
    }
    PyObject *sid = segment_id(source, origin, text, id_length);
    if (sid == NULL) {
        Py_DECREF(elements);
        return -1;
    }
    /* envelope ids (ISA, IEA, GS, GE, ST, SE) all start with I, G or S: most segments need no set look-up */
    int is_envelope = id_length >= 2 && (text[0] == 'I' || text[0] == 'G' || text[0] == 'S')
                          ? PySet_Contains(envelope_ids, sid)
                          : 0;
    if (is_envelope < 0) {
        Py_DECREF(sid);
        Py_DECREF(elements);
        return -1;
    }
    if (is_envelope) {
        PyObject *position = PyLong_FromSsize_t(PyList_GET_SIZE(out));
        if (position == NULL || PyList_Append(marks, position) < 0) {
            Py_XDECREF(position);
            Py_DECREF(sid);
            Py_DECREF(elements);
            return -1;
        }
        Py_DECREF(position);
    }
    PyObject *number_object = PyLong_FromSsize_t(*number + 1);
    if (number_object == NULL) {
        Py_DECREF(sid);
        Py_DECREF(elements);
        return -1;
    }
    PyObject *segment = segment_make(segment_type, sid, elements, number_object, offset, delimiters);
    if (segment == NULL) {
        Py_DECREF(sid);
        Py_DECREF(elements);
        return -1;
    }
    int appended = PyList_Append(out, segment);
    Py_DECREF(segment);
    if (appended < 0) {
        return -1;
    }
    *number += 1;
    return 1;
}

/* The arguments both loops share; 0 when the compiled loop can work on them, -1 on error, 1 nothing to do. */
static int
loop_arguments(PyObject *const *args, PyObject **element, Py_UCS1 *sep, PyObject **out, PyObject **marks)
{
    if (segment_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "configure() was not called");
        return -1;
    }
    *element = args[0];
    *out = args[1];
    *marks = args[2];
    if (!PyUnicode_Check(*element) || !PyList_CheckExact(*out) || !PyList_CheckExact(*marks)) {
        PyErr_SetString(PyExc_TypeError, "element must be a str, out and marks lists");
        return -1;
    }
    if (PyUnicode_GET_LENGTH(*element) != 1 || PyUnicode_READ_CHAR(*element, 0) > 255) {
        return 1; /* nothing here for the compiled loop */
    }
    *sep = (Py_UCS1)PyUnicode_READ_CHAR(*element, 0);
    return 0;
}

/*
 * split_text(text, position, limit, separator, element, number, offset, delimiters, out, marks)
 *     -> (position reached, number, offset)
 * The segments of text[position:limit].split(separator), read from the text without making the pieces: limit is
 * where the last separator of the text ends, so that every piece before it ends with one.  Stops at the start of
 * the first piece the Python loop must take.
 */
static PyObject *
split_text(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 10) {
        PyErr_SetString(PyExc_TypeError, "split_text takes 10 arguments");
        return NULL;
    }
    PyObject *shared[3] = {args[4], args[8], args[9]}, *element, *out, *marks;
    Py_UCS1 sep = 0;
    PyObject *source = args[0], *separator = args[3], *delimiters = args[7];
    Py_ssize_t position = PyLong_AsSsize_t(args[1]);
    Py_ssize_t limit = PyLong_AsSsize_t(args[2]);
    Py_ssize_t number = PyLong_AsSsize_t(args[5]);
    Py_ssize_t offset = PyLong_AsSsize_t(args[6]);
    if (PyErr_Occurred()) {
        return NULL;
    }
    if (!PyUnicode_CheckExact(source) || !PyUnicode_CheckExact(separator)) {
        PyErr_SetString(PyExc_TypeError, "split_text: text and separator must be str");
        return NULL;
    }
    int usable = loop_arguments(shared, &element, &sep, &out, &marks);
    if (usable < 0) {
        return NULL;
    }
    const Py_ssize_t separator_length = PyUnicode_GET_LENGTH(separator);
    if (usable > 0 || PyUnicode_KIND(source) != PyUnicode_1BYTE_KIND ||
        PyUnicode_KIND(separator) != PyUnicode_1BYTE_KIND || separator_length == 0 || position < 0 ||
        limit > PyUnicode_GET_LENGTH(source)) {
        return Py_BuildValue("(nnn)", position, number, offset);
    }
    const Py_UCS1 *data = PyUnicode_1BYTE_DATA(source), *separator_data = PyUnicode_1BYTE_DATA(separator);
    while (position < limit) {
        /* the next separator at or after position (before limit: limit ends the text's last one) */
        const Py_UCS1 *at = data + position, *found = NULL;
        while (at < data + limit) {
            const Py_UCS1 *candidate = memchr(at, separator_data[0], (size_t)(data + limit - at));
            if (candidate == NULL) {
                break;
            }
            if (candidate + separator_length <= data + limit &&
                memcmp(candidate, separator_data, (size_t)separator_length) == 0) {
                found = candidate;
                break;
            }
            at = candidate + 1;
        }
        if (found == NULL) {
            break; /* not a text split at limit: the Python loop decides */
        }
        const Py_ssize_t length = (Py_ssize_t)(found - (data + position));
        if (length > 0) {
            int made = one_segment(source, position, data + position, length, sep, &number, offset, delimiters, out,
                                   marks);
            if (made < 0) {
                return NULL;
            }
            if (made == 0) {
                break;
            }
        }
        offset += length + separator_length;
        position += length + separator_length;
    }
    return Py_BuildValue("(nnn)", position, number, offset);
}

/*
 * clean_separator(text, term): the compiled form of rcm.x12.delimiters.clean_separator, in one pass over the
 * text instead of a dozen scans and counts.  Only for one-byte text and a terminator that is not itself a
 * line break, blank or stripped control character; for anything else it returns NotImplemented and the
 * Python function decides.  Same answer as the Python function (the tests compare both on every sample and
 * on random texts): the separator to split on, or None when the text needs the careful path.
 */
static PyObject *
clean_separator(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 2 || !PyUnicode_Check(args[0]) || !PyUnicode_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "clean_separator(text, term) takes two str");
        return NULL;
    }
    PyObject *text = args[0], *term_object = args[1];
    if (PyUnicode_KIND(text) != PyUnicode_1BYTE_KIND || PyUnicode_GET_LENGTH(term_object) != 1) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    const Py_UCS4 term_char = PyUnicode_READ_CHAR(term_object, 0);
    if (term_char > 255 || term_char == '\n' || term_char == '\r' || term_char == ' ' || term_char == '\t' ||
        term_char == 0 || term_char == 0x0b || term_char == 0x0c || term_char == 0x1a) {
        Py_RETURN_NOTIMPLEMENTED;
    }
    const Py_UCS1 term = (Py_UCS1)term_char;
    const Py_UCS1 *t = PyUnicode_1BYTE_DATA(text);
    const Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    if (n > 0 && (t[0] == ' ' || t[0] == '\n' || t[0] == '\r')) {
        Py_RETURN_NONE;
    }
    Py_ssize_t lf = 0, cr = 0, terms = 0, term_lf = 0, term_crlf = 0;
    int term_blank = 0, term_lf_blank = 0, term_crlf_blank = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        const Py_UCS1 c = t[i];
        if (c == term) {
            terms++;
            if (i > 0 && t[i - 1] == ' ') {
                Py_RETURN_NONE; /* a blank before a terminator */
            }
            if (i + 1 < n) {
                const Py_UCS1 next = t[i + 1];
                if (next == ' ') {
                    term_blank = 1;
                }
                else if (next == '\n') {
                    term_lf++;
                    if (i + 2 < n && t[i + 2] == ' ') {
                        term_lf_blank = 1;
                    }
                }
                else if (next == '\r' && i + 2 < n && t[i + 2] == '\n') {
                    term_crlf++;
                    if (i + 3 < n && t[i + 3] == ' ') {
                        term_crlf_blank = 1;
                    }
                }
            }
            continue;
        }
        if (c > ' ') {
            continue;
        }
        switch (c) {
        case '\n':
            lf++;
            break;
        case '\r':
            cr++;
            break;
        case '\t':
        case 0x00:
        case 0x0b:
        case 0x0c:
        case 0x1a:
            Py_RETURN_NONE; /* tabs, NUL, form feeds, ^Z: stripped on the careful path */
        default:
            break;
        }
    }
    if (lf == 0) {
        if (cr || term_blank) {
            Py_RETURN_NONE;
        }
        Py_INCREF(term_object);
        return term_object;
    }
    if (terms != lf && !(terms == lf + 1 && t[n - 1] == term)) {
        Py_RETURN_NONE; /* some terminators are not followed by a line break */
    }
    if (term_crlf == lf) {
        if (cr == lf && !term_crlf_blank) {
            return PyUnicode_FromFormat("%c\r\n", (int)term);
        }
        Py_RETURN_NONE;
    }
    if (term_lf == lf) {
        if (cr == 0 && !term_lf_blank) {
            return PyUnicode_FromFormat("%c\n", (int)term);
        }
        Py_RETURN_NONE;
    }
    Py_RETURN_NONE;
}

static PyMethodDef methods[] = {
    {"segment_class", segment_class, METH_VARARGS, "segment_class(name, default_delimiters): a compiled Segment class"},
    {"configure", configure, METH_VARARGS, "configure(Segment, envelope_ids): the class to build and the ids to mark"},
    {"split_text", (PyCFunction)(void (*)(void))split_text, METH_FASTCALL,
     "split_text(text, position, limit, separator, element, number, offset, delimiters, out, marks)"},
    {"clean_separator", (PyCFunction)(void (*)(void))clean_separator, METH_FASTCALL,
     "clean_separator(text, term): the separator to split a regular text on, None, or NotImplemented"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "rcm.x12._segments", "Compiled inner loop of the X12 tokenizer.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__segments(void)
{
    return PyModule_Create(&module);
}
