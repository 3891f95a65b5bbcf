/*
 * Compiled inner loop of the loop engine (rcm/x12/engine.py, build_tree), for the two moves that make up
 * almost every segment of a regular file:
 *   - the next segment of the loop on top of the stack, in guide order, within its maximum use;
 *   - the start of a child loop of a loop on the stack, when every loop it closes has what it requires and
 *     the child is within its maximum repeat.
 * Anything else (a finding to make, an own segment of a loop further down, a trailer, an unknown segment)
 * stops it before it changes anything, and the Python loop takes that segment with its full rules.
 * The frames are the engine's lists: [spec, loop, position, counts, child counts, children started].
 *
 * grow(stack, segments, index) -> the index of the first segment not taken
 */
#include "_slots.h"

static PyTypeObject *loop_type = NULL, *segment_type = NULL;
static Py_ssize_t loop_id, loop_name, loop_segments, loop_children;
static Py_ssize_t segment_id, segment_elements;
static PyObject *s_own, *s_kids, *s_tail, *s_start_q, *s_required, *s_required_kids, *s_qualifier, *s_max_use,
    *s_max_repeat, *s_id, *s_name, *s_segments;

static PyObject *
configure(PyObject *module, PyObject *args)
{
    (void)module;
    PyTypeObject *loop, *segment;
    if (!PyArg_ParseTuple(args, "O!O!", &PyType_Type, &loop, &PyType_Type, &segment)) {
        return NULL;
    }
    if (loop->tp_dictoffset != 0 || !(loop->tp_flags & Py_TPFLAGS_HEAPTYPE)) {
        PyErr_SetString(PyExc_TypeError, "Loop must be a class with __slots__ and no __dict__");
        return NULL;
    }
    if (slot_offset_of(loop, "id", &loop_id) < 0 || slot_offset_of(loop, "name", &loop_name) < 0 ||
        slot_offset_of(loop, "segments", &loop_segments) < 0 || slot_offset_of(loop, "children", &loop_children) < 0 ||
        slot_offset_of(segment, "id", &segment_id) < 0 || slot_offset_of(segment, "elements", &segment_elements) < 0) {
        return NULL;
    }
#define INTERN(var, text)                                 \
    if (var == NULL && (var = PyUnicode_InternFromString(text)) == NULL) { \
        return NULL;                                      \
    }
    INTERN(s_own, "_own");
    INTERN(s_kids, "_kids");
    INTERN(s_tail, "_tail");
    INTERN(s_start_q, "_start_q");
    INTERN(s_required, "_required");
    INTERN(s_required_kids, "_required_kids");
    INTERN(s_qualifier, "qualifier");
    INTERN(s_max_use, "max_use");
    INTERN(s_max_repeat, "max_repeat");
    INTERN(s_id, "id");
    INTERN(s_name, "name");
    INTERN(s_segments, "segments");
#undef INTERN
    Py_INCREF(loop);
    Py_XSETREF(loop_type, loop);
    Py_INCREF(segment);
    Py_XSETREF(segment_type, segment);
    Py_RETURN_NONE;
}

/* 1 when the qualifier (None or (element number, frozenset of values)) accepts the elements, 0 when not,
 * -1 on error. */
static int
qualifier_accepts(PyObject *qualifier, PyObject *elements)
{
    if (qualifier == Py_None) {
        return 1;
    }
    if (!PyTuple_Check(qualifier) || PyTuple_GET_SIZE(qualifier) != 2 || !PyList_Check(elements)) {
        PyErr_SetString(PyExc_TypeError, "unexpected qualifier or elements");
        return -1;
    }
    Py_ssize_t position = PyLong_AsSsize_t(PyTuple_GET_ITEM(qualifier, 0));
    if (position == -1 && PyErr_Occurred()) {
        return -1;
    }
    if (position < 1 || position > PyList_GET_SIZE(elements)) {
        return 0;
    }
    return PySet_Contains(PyTuple_GET_ITEM(qualifier, 1), PyList_GET_ITEM(elements, position - 1));
}

/* 1 when the value (None or an int) is a limit that n exceeds. */
static int
exceeds(PyObject *limit, Py_ssize_t n)
{
    if (limit == Py_None) {
        return 0;
    }
    Py_ssize_t value = PyLong_AsSsize_t(limit);
    if (value == -1 && PyErr_Occurred()) {
        return -1;
    }
    return n > value;
}

/* 1 when the frame's loop has every required segment and child loop (closing it makes no finding). */
static int
complete(PyObject *frame)
{
    PyObject *spec = PyList_GET_ITEM(frame, 0);
    PyObject *required = PyObject_GetAttr(spec, s_required);
    if (required == NULL) {
        return -1;
    }
    if (!PyTuple_Check(required)) {
        Py_DECREF(required);
        PyErr_SetString(PyExc_TypeError, "LoopSpec._required must be a tuple");
        return -1;
    }
    PyObject *counts = PyList_GET_ITEM(frame, 3);
    int result = 1;
    for (Py_ssize_t i = 0; result == 1 && i < PyTuple_GET_SIZE(required); i++) {
        result = PyDict_Contains(counts, PyTuple_GET_ITEM(required, i));
    }
    Py_DECREF(required);
    if (result != 1) {
        return result;
    }
    PyObject *kids = PyObject_GetAttr(spec, s_required_kids);
    if (kids == NULL) {
        return -1;
    }
    if (!PyTuple_Check(kids)) {
        Py_DECREF(kids);
        PyErr_SetString(PyExc_TypeError, "LoopSpec._required_kids must be a tuple");
        return -1;
    }
    PyObject *child_counts = PyList_GET_ITEM(frame, 4);
    for (Py_ssize_t i = 0; result == 1 && i < PyTuple_GET_SIZE(kids); i++) {
        PyObject *id = PyObject_GetAttr(PyTuple_GET_ITEM(kids, i), s_id);
        if (id == NULL) {
            result = -1;
            break;
        }
        result = PyDict_Contains(child_counts, id);
        Py_DECREF(id);
    }
    Py_DECREF(kids);
    return result;
}

/* Look up sid in one of a spec's index dicts (borrowed result or NULL; -1 on error). */
static int
index_get(PyObject *spec, PyObject *name, PyObject *sid, PyObject **found)
{
    PyObject *index = PyObject_GetAttr(spec, name);
    if (index == NULL) {
        return -1;
    }
    if (!PyDict_Check(index)) {
        Py_DECREF(index);
        PyErr_SetString(PyExc_TypeError, "a LoopSpec index is not a dict");
        return -1;
    }
    *found = PyDict_GetItemWithError(index, sid); /* borrowed: the dict lives on the spec */
    Py_DECREF(index);
    return (*found == NULL && PyErr_Occurred()) ? -1 : 0;
}

static int
set_int(PyObject *frame, Py_ssize_t i, PyObject *value)
{
    Py_INCREF(value);
    return PyList_SetItem(frame, i, value);
}

/* The next segment of the top loop in guide order: 1 taken, 0 not for us, -1 error. */
static int
take_own(PyObject *top, PyObject *segment, PyObject *sid, PyObject *elements)
{
    if (PyList_GET_ITEM(top, 5) != Py_False) {
        return 0;
    }
    PyObject *own;
    if (index_get(PyList_GET_ITEM(top, 0), s_own, sid, &own) < 0) {
        return -1;
    }
    if (own == NULL) {
        return 0;
    }
    if (!PyList_Check(own)) {
        PyErr_SetString(PyExc_TypeError, "LoopSpec._own entries must be lists");
        return -1;
    }
    Py_ssize_t position = PyLong_AsSsize_t(PyList_GET_ITEM(top, 2));
    if (position == -1 && PyErr_Occurred()) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(own); i++) {
        PyObject *entry = PyList_GET_ITEM(own, i); /* (order, SegmentSpec) */
        if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 2) {
            PyErr_SetString(PyExc_TypeError, "LoopSpec._own entries must be (order, SegmentSpec)");
            return -1;
        }
        PyObject *spec = PyTuple_GET_ITEM(entry, 1);
        PyObject *qualifier = PyObject_GetAttr(spec, s_qualifier);
        if (qualifier == NULL) {
            return -1;
        }
        int accepts = qualifier_accepts(qualifier, elements);
        Py_DECREF(qualifier);
        if (accepts < 0) {
            return -1;
        }
        if (!accepts) {
            continue;
        }
        PyObject *order = PyTuple_GET_ITEM(entry, 0);
        Py_ssize_t order_value = PyLong_AsSsize_t(order);
        if (order_value == -1 && PyErr_Occurred()) {
            return -1;
        }
        if (order_value < position) {
            return 0; /* out of order: the Python loop decides */
        }
        PyObject *counts = PyList_GET_ITEM(top, 3);
        PyObject *seen = PyDict_GetItemWithError(counts, spec);
        if (seen == NULL && PyErr_Occurred()) {
            return -1;
        }
        Py_ssize_t n = seen ? PyLong_AsSsize_t(seen) + 1 : 1;
        if (n == 0 && PyErr_Occurred()) {
            return -1;
        }
        PyObject *max_use = PyObject_GetAttr(spec, s_max_use);
        if (max_use == NULL) {
            return -1;
        }
        int over = exceeds(max_use, n);
        Py_DECREF(max_use);
        if (over != 0) {
            return over < 0 ? -1 : 0; /* a finding to make: the Python loop does it */
        }
        PyObject *count = PyLong_FromSsize_t(n);
        if (count == NULL) {
            return -1;
        }
        int failed = PyDict_SetItem(counts, spec, count);
        Py_DECREF(count);
        if (failed < 0 || set_int(top, 2, order) < 0) {
            return -1;
        }
        PyObject *loop = PyList_GET_ITEM(top, 1);
        if (PyList_Append(SLOT(loop, loop_segments), segment) < 0) {
            return -1;
        }
        return 1;
    }
    return 0;
}

/* A child loop of a loop on the stack: 1 opened, 0 not for us, -1 error. */
static int
open_child(PyObject *stack, PyObject *segment, PyObject *sid, PyObject *elements)
{
    Py_ssize_t depth = PyList_GET_SIZE(stack);
    for (Py_ssize_t level = depth - 1; level >= 0; level--) {
        PyObject *frame = PyList_GET_ITEM(stack, level);
        PyObject *spec = PyList_GET_ITEM(frame, 0);
        PyObject *found;
        if (index_get(spec, s_own, sid, &found) < 0) {
            return -1;
        }
        if (found != NULL) {
            return 0; /* an own segment of this loop (in or out of order): the Python loop decides */
        }
        if (index_get(spec, s_kids, sid, &found) < 0) {
            return -1;
        }
        if (found != NULL) {
            if (!PyList_Check(found)) {
                PyErr_SetString(PyExc_TypeError, "LoopSpec._kids entries must be lists");
                return -1;
            }
            for (Py_ssize_t i = 0; i < PyList_GET_SIZE(found); i++) {
                PyObject *child = PyList_GET_ITEM(found, i);
                PyObject *start_q = PyObject_GetAttr(child, s_start_q);
                if (start_q == NULL) {
                    return -1;
                }
                int accepts = qualifier_accepts(start_q, elements);
                Py_DECREF(start_q);
                if (accepts < 0) {
                    return -1;
                }
                if (!accepts) {
                    continue;
                }
                /* every loop it closes must be complete, and the child within its maximum repeat */
                for (Py_ssize_t closing = depth - 1; closing > level; closing--) {
                    int ok = complete(PyList_GET_ITEM(stack, closing));
                    if (ok != 1) {
                        return ok < 0 ? -1 : 0;
                    }
                }
                PyObject *child_id = PyObject_GetAttr(child, s_id);
                if (child_id == NULL) {
                    return -1;
                }
                PyObject *child_counts = PyList_GET_ITEM(frame, 4);
                PyObject *seen = PyDict_GetItemWithError(child_counts, child_id);
                if (seen == NULL && PyErr_Occurred()) {
                    Py_DECREF(child_id);
                    return -1;
                }
                Py_ssize_t n = seen ? PyLong_AsSsize_t(seen) + 1 : 1;
                PyObject *max_repeat = PyObject_GetAttr(child, s_max_repeat);
                if (max_repeat == NULL) {
                    Py_DECREF(child_id);
                    return -1;
                }
                int over = exceeds(max_repeat, n);
                Py_DECREF(max_repeat);
                if (over != 0) {
                    Py_DECREF(child_id);
                    return over < 0 ? -1 : 0;
                }
                /* from here on: change the tree */
                if (PyList_SetSlice(stack, level + 1, depth, NULL) < 0) {
                    Py_DECREF(child_id);
                    return -1;
                }
                PyObject *count = PyLong_FromSsize_t(n);
                if (count == NULL || PyDict_SetItem(child_counts, child_id, count) < 0) {
                    Py_XDECREF(count);
                    Py_DECREF(child_id);
                    return -1;
                }
                Py_DECREF(count);
                if (set_int(frame, 5, Py_True) < 0) {
                    Py_DECREF(child_id);
                    return -1;
                }
                PyObject *name = PyObject_GetAttr(child, s_name);
                PyObject *own_segments = PyList_New(1);
                PyObject *children = PyList_New(0);
                PyObject *node = loop_type->tp_alloc(loop_type, 0);
                PyObject *specs = PyObject_GetAttr(child, s_segments);
                PyObject *counts = PyDict_New();
                PyObject *kid_counts = PyDict_New();
                PyObject *one = PyLong_FromLong(1);
                PyObject *zero = PyLong_FromLong(0);
                PyObject *new_frame = PyList_New(6);
                if (name == NULL || own_segments == NULL || children == NULL || node == NULL || specs == NULL ||
                    counts == NULL || kid_counts == NULL || one == NULL || zero == NULL || new_frame == NULL ||
                    !PyTuple_Check(specs) || PyTuple_GET_SIZE(specs) == 0 ||
                    PyDict_SetItem(counts, PyTuple_GET_ITEM(specs, 0), one) < 0) {
                    if (!PyErr_Occurred()) {
                        PyErr_SetString(PyExc_RuntimeError, "could not open a loop");
                    }
                    Py_XDECREF(name);
                    Py_XDECREF(own_segments);
                    Py_XDECREF(children);
                    Py_XDECREF(node);
                    Py_XDECREF(specs);
                    Py_XDECREF(counts);
                    Py_XDECREF(kid_counts);
                    Py_XDECREF(one);
                    Py_XDECREF(zero);
                    Py_XDECREF(new_frame);
                    Py_DECREF(child_id);
                    return -1;
                }
                Py_DECREF(specs);
                Py_DECREF(one);
                Py_INCREF(segment);
                PyList_SET_ITEM(own_segments, 0, segment);
                SLOT(node, loop_id) = child_id; /* reference handed over */
                SLOT(node, loop_name) = name;
                SLOT(node, loop_segments) = own_segments;
                SLOT(node, loop_children) = children;
                PyObject *parent_loop = PyList_GET_ITEM(frame, 1);
                if (PyList_Append(SLOT(parent_loop, loop_children), node) < 0) {
                    Py_DECREF(node);
                    Py_DECREF(counts);
                    Py_DECREF(kid_counts);
                    Py_DECREF(zero);
                    Py_DECREF(new_frame);
                    return -1;
                }
                Py_INCREF(child);
                PyList_SET_ITEM(new_frame, 0, child);
                PyList_SET_ITEM(new_frame, 1, node);
                PyList_SET_ITEM(new_frame, 2, zero);
                PyList_SET_ITEM(new_frame, 3, counts);
                PyList_SET_ITEM(new_frame, 4, kid_counts);
                Py_INCREF(Py_False);
                PyList_SET_ITEM(new_frame, 5, Py_False);
                int failed = PyList_Append(stack, new_frame);
                Py_DECREF(new_frame);
                return failed < 0 ? -1 : 1;
            }
        }
        if (index_get(spec, s_tail, sid, &found) < 0) {
            return -1;
        }
        if (found != NULL) {
            return 0; /* a trailer segment: the Python loop decides */
        }
    }
    return 0;
}

static PyObject *
grow(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if (nargs != 3 || !PyList_CheckExact(args[0]) || !PyList_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "grow(stack: list, segments: list, index: int)");
        return NULL;
    }
    if (loop_type == NULL) {
        PyErr_SetString(PyExc_RuntimeError, "grow: configure() was not called");
        return NULL;
    }
    PyObject *stack = args[0], *segments = args[1];
    Py_ssize_t index = PyLong_AsSsize_t(args[2]);
    if (index == -1 && PyErr_Occurred()) {
        return NULL;
    }
    Py_ssize_t count = PyList_GET_SIZE(segments);
    for (; index < count; index++) {
        PyObject *segment = PyList_GET_ITEM(segments, index);
        if (!Py_IS_TYPE(segment, segment_type) || PyList_GET_SIZE(stack) == 0) {
            break;
        }
        PyObject *sid = SLOT(segment, segment_id);
        PyObject *elements = SLOT(segment, segment_elements);
        if (sid == NULL || elements == NULL || !PyUnicode_CheckExact(sid) || !PyList_Check(elements)) {
            break;
        }
        PyObject *top = PyList_GET_ITEM(stack, PyList_GET_SIZE(stack) - 1);
        if (!PyList_CheckExact(top) || PyList_GET_SIZE(top) != 6) {
            break;
        }
        int taken = take_own(top, segment, sid, elements);
        if (taken == 0) {
            taken = open_child(stack, segment, sid, elements);
        }
        if (taken < 0) {
            return NULL;
        }
        if (taken == 0) {
            break;
        }
    }
    return PyLong_FromSsize_t(index);
}

static PyMethodDef methods[] = {
    {"configure", configure, METH_VARARGS, "configure(Loop, Segment): the classes to read and build"},
    {"grow", (PyCFunction)(void (*)(void))grow, METH_FASTCALL, "grow(stack, segments, index) -> index not taken"},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "rcm.x12._loops", "Compiled inner loop of the X12 loop engine.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC
PyInit__loops(void)
{
    return PyModule_Create(&module);
}
