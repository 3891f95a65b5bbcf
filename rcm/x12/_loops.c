/*
 * Compiled inner loop of the loop engine (rcm/x12/engine.py, build_tree), for the two moves that make up
 * almost every segment of a regular file:
 *   - the next segment of the loop on top of the stack, in guide order, within its maximum use;
 *   - the start of a child loop of a loop on the stack, when every loop it closes has what it requires and
 *     the child is within its maximum repeat.
 * Anything else (a finding to make, an own segment of a loop further down, a trailer, an unknown segment)
 * stops it before it changes anything, and the Python loop takes that segment with its full rules.
 * The frames are the engine's lists: [spec, loop, position, counts, child counts, children started, the spec's
 * _flat indexes], so nothing here reads attributes of the specs.
 *
 * grow(stack, segments, index[, on_close, watch[, forget]]) -> the index of the first segment not taken
 * When on_close is given, it is called with each loop whose id is in watch (a frozenset) as that loop closes
 * (nothing can be added to a closed loop), so that a model builder can read it while its segments are still in
 * the CPU caches; the Python loop does the same for the loops it closes.
 */
#include "_slots.h"

static PyTypeObject *loop_type = NULL, *segment_type = NULL;

/*
 * The compiled Loop: the same attributes as the Python class in rcm/x12/engine.py (which adds the methods
 * written in Python), not tracked by the cyclic garbage collector (a loop refers to its id, name, own segments
 * and child loops, none of which refers back to it), so making and freeing one, for every loop instance of a
 * file, needs no collector bookkeeping.
 */
typedef struct {
    PyObject_HEAD
    PyObject *id;
    PyObject *name;
    PyObject *segments;
    PyObject *children;
} LoopObject;

static void
loop_dealloc(PyObject *self)
{
    LoopObject *loop = (LoopObject *)self;
    PyTypeObject *type = Py_TYPE(self);
    Py_XDECREF(loop->id);
    Py_XDECREF(loop->name);
    Py_XDECREF(loop->segments);
    Py_XDECREF(loop->children);
    type->tp_free(self);
    Py_DECREF(type);
}

/* Loop(id, name, segments=None, children=None): None makes a new empty list. */
static PyObject *
loop_new(PyTypeObject *type, PyObject *args, PyObject *kwds)
{
    static char *keywords[] = {"id", "name", "segments", "children", NULL};
    PyObject *id, *name, *segments = Py_None, *children = Py_None;
    if (!PyArg_ParseTupleAndKeywords(args, kwds, "OO|OO:Loop", keywords, &id, &name, &segments, &children)) {
        return NULL;
    }
    LoopObject *loop = (LoopObject *)type->tp_alloc(type, 0);
    if (loop == NULL) {
        return NULL;
    }
    loop->id = Py_NewRef(id);
    loop->name = Py_NewRef(name);
    loop->segments = segments == Py_None ? PyList_New(0) : Py_NewRef(segments);
    loop->children = children == Py_None ? PyList_New(0) : Py_NewRef(children);
    if (loop->segments == NULL || loop->children == NULL) {
        Py_DECREF(loop);
        return NULL;
    }
    return (PyObject *)loop;
}

static PyMemberDef loop_members[] = {
    {"id", T_OBJECT_EX, offsetof(LoopObject, id), 0, "the loop id (2300, 2110...)"},
    {"name", T_OBJECT_EX, offsetof(LoopObject, name), 0, "the loop's name in the guide"},
    {"segments", T_OBJECT_EX, offsetof(LoopObject, segments), 0, "its own segments (the first starts it)"},
    {"children", T_OBJECT_EX, offsetof(LoopObject, children), 0, "its child loops in order"},
    {NULL, 0, 0, 0, NULL},
};

static PyType_Slot loop_slots[] = {
    {Py_tp_dealloc, loop_dealloc},
    {Py_tp_new, loop_new},
    {Py_tp_members, loop_members},
    {0, NULL},
};

/* loop_class(name): a new compiled Loop class (engine.py adds the Python methods). */
static PyObject *
loop_class(PyObject *module, PyObject *args)
{
    (void)module;
    const char *name;
    if (!PyArg_ParseTuple(args, "s", &name)) {
        return NULL;
    }
    PyType_Spec spec = {name, sizeof(LoopObject), 0, Py_TPFLAGS_DEFAULT, loop_slots};
    return PyType_FromSpec(&spec);
}
static Py_ssize_t loop_id, loop_name, loop_segments, loop_children;
static Py_ssize_t segment_id, segment_elements;

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
    if (!PyTuple_Check(qualifier) || PyTuple_GET_SIZE(qualifier) != 2) {
        PyErr_SetString(PyExc_TypeError, "unexpected qualifier");
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

/* The frame's LoopSpec._flat: (own, kids, trailer, required specs, required child loop ids); NULL if malformed. */
static PyObject *
flat_of(PyObject *frame)
{
    PyObject *flat = PyList_GET_ITEM(frame, 6);
    if (!PyTuple_CheckExact(flat) || PyTuple_GET_SIZE(flat) != 5 || !PyDict_CheckExact(PyTuple_GET_ITEM(flat, 0)) ||
        !PyDict_CheckExact(PyTuple_GET_ITEM(flat, 1)) || !PyDict_CheckExact(PyTuple_GET_ITEM(flat, 2)) ||
        !PyTuple_CheckExact(PyTuple_GET_ITEM(flat, 3)) || !PyTuple_CheckExact(PyTuple_GET_ITEM(flat, 4))) {
        PyErr_SetString(PyExc_TypeError, "a loop frame without its LoopSpec._flat indexes");
        return NULL;
    }
    return flat;
}

/* 1 when the frame's loop has every required segment and child loop (closing it makes no finding). */
static int
complete(PyObject *frame)
{
    PyObject *flat = flat_of(frame);
    if (flat == NULL) {
        return -1;
    }
    PyObject *required = PyTuple_GET_ITEM(flat, 3), *kid_ids = PyTuple_GET_ITEM(flat, 4);
    PyObject *counts = PyList_GET_ITEM(frame, 3), *child_counts = PyList_GET_ITEM(frame, 4);
    int result = 1;
    for (Py_ssize_t i = 0; result == 1 && i < PyTuple_GET_SIZE(required); i++) {
        result = PyDict_Contains(counts, PyTuple_GET_ITEM(required, i));
    }
    for (Py_ssize_t i = 0; result == 1 && i < PyTuple_GET_SIZE(kid_ids); i++) {
        result = PyDict_Contains(child_counts, PyTuple_GET_ITEM(kid_ids, i));
    }
    return result;
}

static int
set_item(PyObject *frame, Py_ssize_t i, PyObject *value)
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
    PyObject *flat = flat_of(top);
    if (flat == NULL) {
        return -1;
    }
    PyObject *own = PyDict_GetItemWithError(PyTuple_GET_ITEM(flat, 0), sid);
    if (own == NULL) {
        return PyErr_Occurred() ? -1 : 0;
    }
    if (!PyList_Check(own)) {
        PyErr_SetString(PyExc_TypeError, "LoopSpec own entries must be lists");
        return -1;
    }
    Py_ssize_t position = PyLong_AsSsize_t(PyList_GET_ITEM(top, 2));
    if (position == -1 && PyErr_Occurred()) {
        return -1;
    }
    for (Py_ssize_t i = 0; i < PyList_GET_SIZE(own); i++) {
        PyObject *entry = PyList_GET_ITEM(own, i); /* (order, SegmentSpec, qualifier, max_use) */
        if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 4) {
            PyErr_SetString(PyExc_TypeError, "LoopSpec own entries must be (order, spec, qualifier, max_use)");
            return -1;
        }
        int accepts = qualifier_accepts(PyTuple_GET_ITEM(entry, 2), elements);
        if (accepts < 0) {
            return -1;
        }
        if (!accepts) {
            continue;
        }
        PyObject *order = PyTuple_GET_ITEM(entry, 0), *spec = PyTuple_GET_ITEM(entry, 1);
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
        int over = exceeds(PyTuple_GET_ITEM(entry, 3), n);
        if (over != 0) {
            return over < 0 ? -1 : 0; /* a finding to make: the Python loop does it */
        }
        PyObject *count = PyLong_FromSsize_t(n);
        if (count == NULL) {
            return -1;
        }
        int failed = PyDict_SetItem(counts, spec, count);
        Py_DECREF(count);
        if (failed < 0 || set_item(top, 2, order) < 0) {
            return -1;
        }
        PyObject *loop = PyList_GET_ITEM(top, 1);
        return PyList_Append(SLOT(loop, loop_segments), segment) < 0 ? -1 : 1;
    }
    return 0;
}

/* Who hears of closed loops during one grow() call: on_close(loop) for the loop ids in watch. */
typedef struct {
    PyObject *on_close; /* NULL when nobody listens */
    PyObject *watch;
    int forget;         /* after on_close: let go of the loop's own segments and unwatched child loops */
} Listener;

/* The loop has been read by the listener: empty its own segments, keep only its watched child loops. */
static int
let_go(PyObject *node, PyObject *watch)
{
    PyObject *own = SLOT(node, loop_segments), *kids = SLOT(node, loop_children);
    if (!PyList_Check(own) || !PyList_Check(kids)) {
        PyErr_SetString(PyExc_TypeError, "a loop's segments and children must be lists");
        return -1;
    }
    if (PyList_SetSlice(own, 0, PyList_GET_SIZE(own), NULL) < 0) {
        return -1;
    }
    Py_ssize_t kept = 0, n = PyList_GET_SIZE(kids);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *kid = PyList_GET_ITEM(kids, i);
        int watched = Py_IS_TYPE(kid, loop_type) ? PySet_Contains(watch, SLOT(kid, loop_id)) : 1;
        if (watched < 0) {
            return -1;
        }
        if (watched) {
            if (kept != i) { /* move it down: the list holds the same references */
                PyObject *old = PyList_GET_ITEM(kids, kept);
                PyList_SET_ITEM(kids, kept, kid);
                PyList_SET_ITEM(kids, i, old);
            }
            kept++;
        }
    }
    return PyList_SetSlice(kids, kept, n, NULL);
}

/* Close the loops above `level`: tell the listener of the watched ones, then drop their frames (plain lists). */
static int
close_above(PyObject *stack, Py_ssize_t level, const Listener *listener)
{
    for (Py_ssize_t top = PyList_GET_SIZE(stack) - 1; top > level; top--) {
        PyObject *closed = PyList_GET_ITEM(stack, top);
        if (listener->on_close != NULL) {
            PyObject *node = PyList_GET_ITEM(closed, 1);
            int watched = PySet_Contains(listener->watch, SLOT(node, loop_id));
            if (watched < 0) {
                return -1;
            }
            if (watched) {
                PyObject *done = PyObject_CallOneArg(listener->on_close, node);
                if (done == NULL) {
                    return -1;
                }
                Py_DECREF(done);
                if (listener->forget && let_go(node, listener->watch) < 0) {
                    return -1;
                }
            }
        }
        Py_SET_SIZE(stack, top);
        Py_DECREF(closed);
    }
    return 0;
}

/* Open the child loop (an entry of a spec's kids index) under the frame at `level`; the stack above it has
 * been checked. */
static int
open_loop(PyObject *stack, Py_ssize_t level, PyObject *entry, Py_ssize_t n, PyObject *segment,
          const Listener *listener)
{
    PyObject *frame = PyList_GET_ITEM(stack, level);
    PyObject *child = PyTuple_GET_ITEM(entry, 0), *child_id = PyTuple_GET_ITEM(entry, 2);
    PyObject *name = PyTuple_GET_ITEM(entry, 4), *first = PyTuple_GET_ITEM(entry, 5), *flat = PyTuple_GET_ITEM(entry, 6);
    if (close_above(stack, level, listener) < 0) {
        return -1;
    }
    PyObject *count = PyLong_FromSsize_t(n);
    if (count == NULL) {
        return -1;
    }
    int failed = PyDict_SetItem(PyList_GET_ITEM(frame, 4), child_id, count);
    Py_DECREF(count);
    if (failed < 0 || set_item(frame, 5, Py_True) < 0) {
        return -1;
    }
    PyObject *own_segments = PyList_New(1);
    PyObject *children = PyList_New(0);
    PyObject *counts = PyDict_New();
    PyObject *kid_counts = PyDict_New();
    PyObject *zero = PyLong_FromLong(0);
    PyObject *one = PyLong_FromLong(1);
    PyObject *new_frame = PyList_New(7);
    PyObject *node = loop_type->tp_alloc(loop_type, 0);
    if (own_segments == NULL || children == NULL || counts == NULL || kid_counts == NULL || zero == NULL ||
        one == NULL || new_frame == NULL || node == NULL || PyDict_SetItem(counts, first, one) < 0) {
        Py_XDECREF(own_segments);
        Py_XDECREF(children);
        Py_XDECREF(counts);
        Py_XDECREF(kid_counts);
        Py_XDECREF(zero);
        Py_XDECREF(one);
        Py_XDECREF(new_frame);
        Py_XDECREF(node);
        return -1;
    }
    Py_DECREF(one);
    Py_INCREF(segment);
    PyList_SET_ITEM(own_segments, 0, segment);
    Py_INCREF(child_id);
    Py_INCREF(name);
    SLOT(node, loop_id) = child_id;
    SLOT(node, loop_name) = name;
    SLOT(node, loop_segments) = own_segments;
    SLOT(node, loop_children) = children;
    Py_INCREF(child);
    Py_INCREF(Py_False);
    Py_INCREF(flat);
    PyList_SET_ITEM(new_frame, 0, child);
    PyList_SET_ITEM(new_frame, 1, node); /* the frame's reference; the parent's children list takes its own */
    PyList_SET_ITEM(new_frame, 2, zero);
    PyList_SET_ITEM(new_frame, 3, counts);
    PyList_SET_ITEM(new_frame, 4, kid_counts);
    PyList_SET_ITEM(new_frame, 5, Py_False);
    PyList_SET_ITEM(new_frame, 6, flat);
    PyObject *parent_loop = PyList_GET_ITEM(frame, 1);
    failed = PyList_Append(SLOT(parent_loop, loop_children), node) < 0 || PyList_Append(stack, new_frame) < 0;
    Py_DECREF(new_frame);
    return failed ? -1 : 1;
}

/* A child loop of a loop on the stack: 1 opened, 0 not for us, -1 error. */
static int
open_child(PyObject *stack, PyObject *segment, PyObject *sid, PyObject *elements, const Listener *listener)
{
    Py_ssize_t depth = PyList_GET_SIZE(stack);
    for (Py_ssize_t level = depth - 1; level >= 0; level--) {
        PyObject *frame = PyList_GET_ITEM(stack, level);
        PyObject *flat = flat_of(frame);
        if (flat == NULL) {
            return -1;
        }
        int found = PyDict_Contains(PyTuple_GET_ITEM(flat, 0), sid);
        if (found != 0) {
            return found < 0 ? -1 : 0; /* an own segment of this loop (in or out of order): the Python loop decides */
        }
        PyObject *kids = PyDict_GetItemWithError(PyTuple_GET_ITEM(flat, 1), sid);
        if (kids == NULL && PyErr_Occurred()) {
            return -1;
        }
        if (kids != NULL) {
            if (!PyList_Check(kids)) {
                PyErr_SetString(PyExc_TypeError, "LoopSpec kids entries must be lists");
                return -1;
            }
            for (Py_ssize_t i = 0; i < PyList_GET_SIZE(kids); i++) {
                PyObject *entry = PyList_GET_ITEM(kids, i);
                if (!PyTuple_Check(entry) || PyTuple_GET_SIZE(entry) != 7) {
                    PyErr_SetString(PyExc_TypeError, "LoopSpec kids entries must be 7-tuples");
                    return -1;
                }
                int accepts = qualifier_accepts(PyTuple_GET_ITEM(entry, 1), elements);
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
                PyObject *seen = PyDict_GetItemWithError(PyList_GET_ITEM(frame, 4), PyTuple_GET_ITEM(entry, 2));
                if (seen == NULL && PyErr_Occurred()) {
                    return -1;
                }
                Py_ssize_t n = seen ? PyLong_AsSsize_t(seen) + 1 : 1;
                int over = exceeds(PyTuple_GET_ITEM(entry, 3), n);
                if (over != 0) {
                    return over < 0 ? -1 : 0;
                }
                return open_loop(stack, level, entry, n, segment, listener);
            }
        }
        found = PyDict_Contains(PyTuple_GET_ITEM(flat, 2), sid);
        if (found != 0) {
            return found < 0 ? -1 : 0; /* a trailer segment: the Python loop decides */
        }
    }
    return 0;
}

static PyObject *
grow(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    if ((nargs != 3 && nargs != 5 && nargs != 6) || !PyList_CheckExact(args[0]) || !PyList_Check(args[1])) {
        PyErr_SetString(PyExc_TypeError, "grow(stack: list, segments: list, index: int[, on_close, watch[, forget]])");
        return NULL;
    }
    Listener listener = {NULL, NULL, 0};
    if (nargs == 6) {
        listener.forget = PyObject_IsTrue(args[5]);
        if (listener.forget < 0) {
            return NULL;
        }
    }
    if (nargs >= 5 && args[3] != Py_None) {
        if (!PyCallable_Check(args[3]) || !PyFrozenSet_CheckExact(args[4])) {
            PyErr_SetString(PyExc_TypeError, "grow: on_close must be callable and watch a frozenset");
            return NULL;
        }
        listener.on_close = args[3];
        listener.watch = args[4];
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
        if (!PyList_CheckExact(top) || PyList_GET_SIZE(top) != 7) {
            break;
        }
        int taken = take_own(top, segment, sid, elements);
        if (taken == 0) {
            taken = open_child(stack, segment, sid, elements, &listener);
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
    {"loop_class", loop_class, METH_VARARGS, "loop_class(name): a compiled Loop class"},
    {"configure", configure, METH_VARARGS, "configure(Loop, Segment): the classes to read and build"},
    {"grow", (PyCFunction)(void (*)(void))grow, METH_FASTCALL, "grow(stack, segments, index[, on_close, watch[, forget]]) -> index not taken"},
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
