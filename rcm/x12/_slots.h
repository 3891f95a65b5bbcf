/*
 * Shared by the compiled inner loops (_segments.c, _loops.c): where a __slots__ class keeps a slot, so that
 * objects of that class can be filled in from C without running its __init__. The classes are checked when the
 * loops are configured (every slot must be a plain object slot), and the tests compare the objects built here
 * with those the Python loops build.
 */
#ifndef RCM_X12_SLOTS_H
#define RCM_X12_SLOTS_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <structmember.h>

/* The slot at that offset of an object (a borrowed reference; NULL while unset). */
#define SLOT(obj, offset) (*(PyObject **)((char *)(obj) + (offset)))

static inline int
slot_offset_of(PyTypeObject *type, const char *name, Py_ssize_t *offset)
{
    PyObject *descr = PyObject_GetAttrString((PyObject *)type, name);
    if (descr == NULL) {
        return -1;
    }
    if (!Py_IS_TYPE(descr, &PyMemberDescr_Type)) {
        Py_DECREF(descr);
        PyErr_Format(PyExc_TypeError, "%s.%s is not a slot", type->tp_name, name);
        return -1;
    }
    PyMemberDef *member = ((PyMemberDescrObject *)descr)->d_member;
    if (member->type != T_OBJECT_EX || member->offset <= 0 ||
        member->offset + (Py_ssize_t)sizeof(PyObject *) > type->tp_basicsize) {
        Py_DECREF(descr);
        PyErr_Format(PyExc_TypeError, "%s.%s is not an object slot", type->tp_name, name);
        return -1;
    }
    *offset = member->offset;
    Py_DECREF(descr);
    return 0;
}

#endif
