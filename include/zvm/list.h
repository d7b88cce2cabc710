/* SPDX-License-Identifier: MIT */
/* Intrusive doubly linked circular list: the one list type of the kernel. */
#ifndef ZVM_LIST_H
#define ZVM_LIST_H

#include <stdbool.h>
#include <stddef.h>

struct dnode {
	struct dnode *next;
	struct dnode *prev;
};

/* A list head is a node that points at itself when empty. */
typedef struct dnode dlist_t;

#define DLIST_INIT(name)         \
	{                        \
		&(name), &(name) \
	}

#define CONTAINER_OF(ptr, type, member) ((type *)((char *)(ptr)-offsetof(type, member)))

static inline void dlist_init(dlist_t *list)
{
	list->next = list;
	list->prev = list;
}

static inline bool dlist_empty(const dlist_t *list)
{
	return list->next == list;
}

/* A node not on any list has NULL links, so membership can be asked. */
static inline bool dnode_linked(const struct dnode *node)
{
	return node->next != NULL;
}

static inline void dlist_insert_before(struct dnode *pos, struct dnode *node)
{
	node->next = pos;
	node->prev = pos->prev;
	pos->prev->next = node;
	pos->prev = node;
}

static inline void dlist_append(dlist_t *list, struct dnode *node)
{
	dlist_insert_before(list, node);
}

static inline void dlist_prepend(dlist_t *list, struct dnode *node)
{
	dlist_insert_before(list->next, node);
}

static inline void dlist_remove(struct dnode *node)
{
	node->prev->next = node->next;
	node->next->prev = node->prev;
	node->next = NULL;
	node->prev = NULL;
}

static inline struct dnode *dlist_first(const dlist_t *list)
{
	return dlist_empty(list) ? NULL : list->next;
}

#define DLIST_FOR_EACH(list, node) \
	for ((node) = (list)->next; (node) != (list); (node) = (node)->next)

#define DLIST_FOR_EACH_SAFE(list, node, tmp)                                \
	for ((node) = (list)->next, (tmp) = (node)->next; (node) != (list); \
	     (node) = (tmp), (tmp) = (node)->next)

#endif /* ZVM_LIST_H */
