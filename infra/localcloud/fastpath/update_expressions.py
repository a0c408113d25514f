"""A DynamoDB update expression is parsed once per text, not at every UpdateItem.

moto tokenizes and parses each `UpdateExpression` twice per update (in the handler, to list the names and
values it uses, then in the backend), for every update of a transaction too: 2.6 % of the engine's CPU
under the booking bench. The tree depends only on the text (names and values stay placeholders until
validation), and nothing writes to it: the handler only lists its clauses, and the backend's
`Validator` deep-copies it before its processors replace nodes. So one tree per text serves every
request and thread; a text that fails to parse is never kept, and fails the same way each time.

That deep copy (`copy.deepcopy`, 4.5 % of the engine's CPU) is made by a walk that knows the tree's
shape: a kept tree whose every node holds only `type`, `children` and `parent`, with children that are
nodes or immutable values (checked once, when it is kept), is copied as deepcopy would (same classes,
same attribute order, shared nodes shared, parents pointing into the copy) by a `CopyPlan` made when the
tree is kept: its nodes' classes in walk order and, per node, which attribute is a value, a node or a
list of children, so a copy is one pass over a list (the per-node recursion with a memo was 3 % of the
engine's CPU). Any other value goes to `copy.deepcopy`.

The validation itself runs ten tree walkers over that copy, and each asks, at every node, which node
classes it processes: `nodes_to_be_processed()` builds the walker's processing map (a dict of bound
methods) and a tuple of its keys each time (2 % of the engine's CPU). Every walker moto's update
validation uses returns a literal map with fixed classes as keys, so the tuple is kept per walker class;
a walker not in that list asks as moto does.

The walk itself (`traverse_node_recursively`, a method call, an `isinstance` against the abstract `Node`
and the tuple of kinds, and a new processing map per processed node: 9-10 % of the engine's CPU during
the fresh start's seat-map writes, whose updates set 25 nested paths) runs, for those walkers, as one
local recursion: the processing map is built once per walk (its methods are bound to the walker, its
classes fixed), the place in that map of the handler `process` would pick is found once per walker class
and node class (one dict lookup per node), `Node`-ness is known per class, and `pre_processing_of_child`
(which only the resolving walker has) is called where moto calls it, except under a node that is not an
action: there moto's method does nothing (its four abstract-class `isinstance` checks fail).
Two of those walkers search the subtree of every `UpdateExpression` node (18 node classes are one) for its
clauses (`Node.find_clauses`: 40 % of such an update's time); the search is the same depth-first one, with
the clause classes in a set and whether a class is searched into (an `Expression` or a function) known per
class, returning the same nodes in the same order.
"""

from __future__ import annotations

import copy
import functools
import re
from typing import Any

from moto.dynamodb import models as dynamodb_models
from moto.dynamodb.parsing import validators
from moto.dynamodb.parsing.ast_nodes import (  # type: ignore[attr-defined]
    DepthFirstTraverser,
    Expression,
    ExpressionAttributeName,
    Node,
    UpdateExpressionAddAction,
    UpdateExpressionDeleteAction,
    UpdateExpressionFunction,
    UpdateExpressionRemoveAction,
    UpdateExpressionSetAction,
)
from moto.dynamodb.parsing.expressions import UpdateExpressionParser  # type: ignore[attr-defined]

from localcloud.layer.patching import Patches

PARSED_EXPRESSIONS = 4096  # distinct texts kept (Trainbook's updates have a few dozen shapes)


_NODE_ATTRIBUTES = frozenset({"type", "children", "parent"})
_IMMUTABLE = (str, int, float, bool, type(None))  # deepcopy returns these as they are


def _plain_node_class(cls: Any) -> bool:
    """A node class deepcopy copies through `__reduce_ex__` and `__dict__` alone."""
    return (
        getattr(cls, "__deepcopy__", None) is None
        and cls.__reduce_ex__ is object.__reduce_ex__
        and cls.__reduce__ is object.__reduce__
        and cls.__getstate__ is object.__getstate__
        and getattr(cls, "__setstate__", None) is None
        and getattr(cls, "__slots__", None) is None
    )


def is_plain_tree(root: Any) -> bool:
    """Whether `copy_plain_tree` copies this tree as `copy.deepcopy` would."""
    pending, seen = [root], set()
    while pending:
        node = pending.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if not isinstance(node, Node) or not _plain_node_class(type(node)):
            return False
        attributes = vars(node)
        if not set(attributes) <= _NODE_ATTRIBUTES or type(attributes.get("type")) is not str:
            return False
        children = attributes.get("children")
        if children is not None:
            if type(children) is not list:
                return False
            for child in children:
                if isinstance(child, Node):
                    pending.append(child)
                elif type(child) not in _IMMUTABLE:
                    return False
        parent = attributes.get("parent")
        if parent is not None:
            pending.append(parent)
    return True


_CHILDREN, _NODE, _VALUE = 0, 1, 2  # how a copy plan fills an attribute


class CopyPlan:
    """How to copy one plain tree: its nodes' classes in walk order, and for each node its attributes
    in order, each a value kept as it is, a node (by its place in the walk) or a list of children."""

    def __init__(self, root: Any) -> None:
        places: dict[int, int] = {}
        nodes: list[Any] = []

        def place(node: Any) -> int:
            found = places.get(id(node))
            if found is None:
                found = places[id(node)] = len(nodes)
                nodes.append(node)
            return found

        place(root)
        recipes: list[list[tuple[str, int, Any]]] = []
        position = 0
        while position < len(nodes):  # nodes grows as the walk meets new ones
            recipe: list[tuple[str, int, Any]] = []
            for name, value in vars(nodes[position]).items():
                if name == "children" and value is not None:
                    recipe.append(
                        (
                            name,
                            _CHILDREN,
                            [(True, place(c)) if isinstance(c, Node) else (False, c) for c in value],
                        )
                    )
                elif name == "parent" and value is not None:
                    recipe.append((name, _NODE, place(value)))
                else:
                    recipe.append((name, _VALUE, value))
            recipes.append(recipe)
            position += 1
        self.classes: list[Any] = [type(node) for node in nodes]
        self.recipes = recipes

    def copy(self) -> Any:
        twins = [cls.__new__(cls) for cls in self.classes]
        for twin, recipe in zip(twins, self.recipes, strict=True):
            state: dict[str, Any] = {}
            for name, how, what in recipe:
                if how == _CHILDREN:
                    state[name] = [twins[item] if is_node else item for is_node, item in what]
                elif how == _NODE:
                    state[name] = twins[what]
                else:
                    state[name] = what
            twin.__dict__.update(state)
        return twins[0]


def copy_plain_tree(root: Any) -> Any:
    """`copy.deepcopy(root)` for a tree `is_plain_tree` accepted."""
    return CopyPlan(root).copy()


def patch_update_expression_parses(patches: Patches) -> None:
    make = UpdateExpressionParser.make  # the bound classmethod
    # Kept trees copied by their `CopyPlan`, by id (the tree is kept with its plan).
    plain_trees: dict[int, tuple[Any, CopyPlan]] = {}

    @functools.lru_cache(maxsize=PARSED_EXPRESSIONS)
    def parsed(expression: str) -> Any:
        tree = make(expression)
        if is_plain_tree(tree):
            if len(plain_trees) >= PARSED_EXPRESSIONS:
                plain_trees.clear()  # a tree not found here is deep-copied by copy.deepcopy: still right
            plain_trees[id(tree)] = (tree, CopyPlan(tree))
        return tree

    def remembered_make(cls: type, expression: Any) -> Any:
        if cls is not UpdateExpressionParser or type(expression) is not str:
            return make.__func__(cls, expression)
        return parsed(expression)

    def validators_deepcopy(value: Any, memo: Any = None) -> Any:
        kept = plain_trees.get(id(value))
        if memo is None and kept is not None and kept[0] is value:
            return kept[1].copy()
        return copy.deepcopy(value, memo)

    patches.replace(UpdateExpressionParser, "make", classmethod(remembered_make))
    patches.replace(validators, "deepcopy", validators_deepcopy)


# The walkers of moto 5.2.5's `UpdateExpressionValidator`, each checked to return `{Class: self.method}`.
FIXED_MAP_WALKERS = frozenset(
    getattr(validators, name)
    for name in (
        "ActionCountValidator",
        "OverlappingPathsValidator",
        "UpdateHashRangeKeyValidator",
        "ExpressionAttributeValueProcessor",
        "ExpressionAttributeResolvingProcessor",
        "UpdateExpressionFunctionEvaluator",
        "NoneExistingPathChecker",
        "ExecuteOperations",
        "TypeMismatchValidator",
        "EmptyStringKeyValueValidator",
    )
)


def patch_walker_node_kinds(patches: Patches) -> None:
    asked = DepthFirstTraverser.nodes_to_be_processed
    kinds: dict[type, tuple[type, ...]] = {}

    def kept_node_kinds(self: Any) -> tuple[type, ...]:
        walker = type(self)
        found = kinds.get(walker)
        if found is None:
            found = tuple(asked(self))
            if walker in FIXED_MAP_WALKERS:
                kinds[walker] = found
        return found

    patches.replace(DepthFirstTraverser, "nodes_to_be_processed", kept_node_kinds)


# The parents moto's `ExpressionAttributeResolvingProcessor.pre_processing_of_child` acts under.
_ACTIONS = (
    UpdateExpressionSetAction,
    UpdateExpressionRemoveAction,
    UpdateExpressionDeleteAction,
    UpdateExpressionAddAction,
)
_NOT_A_NODE = -2  # a value the walk returns as it is
_UNHANDLED = -1  # a node the walker walks into but does not process


def patch_walker_traversal(patches: Patches) -> None:
    walk_as_moto = DepthFirstTraverser.traverse_node_recursively
    plain_pre_processing = DepthFirstTraverser.pre_processing_of_child
    node_classes: dict[type, bool] = {}  # isinstance(value, Node) by the value's class
    # Per walker class, per value class: the place of the handler in the walker's (fixed) map.
    walker_roles: dict[type, dict[type, int]] = {}

    def is_node(value: Any) -> bool:
        known = node_classes.get(type(value))
        if known is None:
            known = node_classes[type(value)] = isinstance(value, Node)
        return known

    resolving_pre_processing = validators.ExpressionAttributeResolvingProcessor.pre_processing_of_child
    action_classes: dict[type, bool] = {}  # isinstance(value, _ACTIONS) by the value's class

    def acts_on_children(value: Any) -> bool:
        known = action_classes.get(type(value))
        if known is None:
            known = action_classes[type(value)] = isinstance(value, _ACTIONS)
        return known

    def traverse_node_recursively(self: Any, node: Any, child_id: int = -1) -> Any:
        walker = type(self)
        if walker not in FIXED_MAP_WALKERS:
            return walk_as_moto(self, node, child_id)
        handlers = list(self._processing_map().items())  # moto's `process` tries them in this order
        methods = [method for _, method in handlers]
        pre = None if walker.pre_processing_of_child is plain_pre_processing else self.pre_processing_of_child
        # moto's resolving walker pre-processes only the children of an action node (the first child is
        # the path set, the others its value); under any other node its method does nothing.
        pre_everywhere = pre is not None and not (
            walker is validators.ExpressionAttributeResolvingProcessor
            and walker.pre_processing_of_child is resolving_pre_processing
        )
        roles = walker_roles.get(walker)
        if roles is None:
            roles = walker_roles[walker] = {}

        def role_of(value: Any) -> int:
            """The place in the map of the handler `process` picks; _UNHANDLED or _NOT_A_NODE."""
            if not is_node(value):
                role = _NOT_A_NODE
            else:
                role = next(
                    (i for i, (kind, _) in enumerate(handlers) if isinstance(value, kind)), _UNHANDLED
                )
            roles[type(value)] = role
            return role

        def walk(value: Any, index: int) -> Any:
            role = roles.get(type(value))
            if role is None:
                role = role_of(value)
            if role == _NOT_A_NODE:
                return value
            parent = value.parent
            children = value.children
            if children is not None:
                if pre is not None and (pre_everywhere or acts_on_children(value)):
                    for position, child in enumerate(children):
                        pre(value, position)
                        walk(child, position)
                else:
                    for position, child in enumerate(children):
                        walk(child, position)
            if role >= 0:
                value = methods[role](value)
                value.parent = parent
                if parent:
                    parent.children[index] = value
            return value

        return walk(node, child_id)

    patches.replace(DepthFirstTraverser, "traverse_node_recursively", traverse_node_recursively)


def patch_clause_search(patches: Patches) -> None:
    searched_into: dict[type, bool] = {}  # whether moto's find_clauses descends into a child of this class

    def find_clauses(self: Node, clause_types: Any) -> list[Any]:
        wanted = set(clause_types)
        found: list[Any] = []

        def search(node: Any) -> None:
            for child in node.children or []:
                cls = type(child)
                if cls in wanted:
                    found.append(child)
                    continue
                descend = searched_into.get(cls)
                if descend is None:
                    descend = searched_into[cls] = isinstance(child, Expression | UpdateExpressionFunction)
                if descend:
                    search(child)

        search(self)
        return found

    patches.replace(Node, "find_clauses", find_clauses)


# The first two of moto 5.2.5's update validators only check (each returns every node as it is).
_PURE_CHECKS = (validators.ActionCountValidator, validators.OverlappingPathsValidator)
_KEPT_TREE = "_localcloud_expression"  # the validator's (kept) tree, set at its creation
CHECKED_TREES = 4096


def root_name_placeholders(tree: Any) -> tuple[str, ...]:
    """Every placeholder that is the only child of a node: those `check_for_overlapping_paths` reads.

    moto looks a placeholder up in the names only for an action's path made of that one name; every
    such path is a node with one `ExpressionAttributeName` child, so this is a superset of them."""
    found: dict[str, None] = {}
    pending = [tree]
    while pending:
        node = pending.pop()
        children = node.children or []
        if len(children) == 1 and isinstance(children[0], ExpressionAttributeName):
            found[children[0].get_attribute_name_placeholder()] = None
        pending.extend(child for child in children if isinstance(child, Node))
    return tuple(found)


def patch_kept_update_checks(patches: Patches) -> None:
    """An update's clause counts and path overlaps are checked once per text and names they read.

    `ActionCountValidator` (at most one SET, REMOVE and ADD clause) and `OverlappingPathsValidator` (no
    path set twice or inside another) walk the tree first and search, at each of its 18 kinds of
    `UpdateExpression` node, the node's whole subtree for clauses (a 25-path seat-map update: about 220
    searches and 2 800 visits, a quarter of its validation). Neither changes a node, and what they decide
    depends only on the tree (the text's kept parse, copied unchanged up to them) and, for a path made of
    one `#name`, on that name's value. So once both passed for a text with those values, they pass again:
    the later validations of it start at the third walker. A refusal is never kept (moto raises it again,
    with its own message), and a validator with other walkers than moto 5.2.5's runs as moto runs it."""
    init = validators.UpdateExpressionValidator.__init__
    validate = validators.Validator.validate
    passed: dict[int, tuple[Any, tuple[str, ...], set[tuple[Any, ...]]]] = {}

    def remembering_init(self: Any, expression: Any, *args: Any, **kwargs: Any) -> None:
        init(self, expression, *args, **kwargs)
        setattr(self, _KEPT_TREE, expression)

    def checked_validate(self: Any) -> Any:
        tree = vars(self).get(_KEPT_TREE)
        names = self.expression_attribute_names
        processors = self.processors
        if (
            tree is None
            or type(names) is not dict
            or len(processors) < 2
            or tuple(type(p) for p in processors[:2]) != _PURE_CHECKS
        ):
            return validate(self)
        entry = passed.get(id(tree))
        if entry is None or entry[0] is not tree:
            if len(passed) >= CHECKED_TREES:
                passed.clear()
            entry = passed[id(tree)] = (tree, root_name_placeholders(tree), set())
        key = tuple(names.get(placeholder) for placeholder in entry[1])
        node = self.node_to_validate
        if key not in entry[2]:
            for check in processors[:2]:
                node = check.traverse(node)
            if len(entry[2]) >= CHECKED_TREES:
                entry[2].clear()
            entry[2].add(key)
        for processor in processors[2:]:
            node = processor.traverse(node)
        return node

    patches.replace(validators.UpdateExpressionValidator, "__init__", remembering_init)
    patches.replace(validators.UpdateExpressionValidator, "validate", checked_validate)


class KeptSubstitutions:
    """The `re` module as moto's DynamoDB backend sees it, with `sub`'s answers kept per text.

    `DynamoDBBackend.update_item` rewrites every update expression with `re.sub` (spaces around `=`, `+`
    and `-` removed) before it looks at the item: 1.5 % of the engine's CPU under the booking bench, for a
    few dozen distinct texts. `sub` of str pattern, replacement and text (no count, no flags) is a pure
    function of the three, so its answer is kept; any other call, and every other name, is `re`'s."""

    def __getattr__(self, name: str) -> Any:
        return getattr(re, name)

    @staticmethod
    @functools.lru_cache(maxsize=PARSED_EXPRESSIONS)
    def _kept(pattern: str, replacement: str, text: str) -> str:
        return re.sub(pattern, replacement, text)

    def sub(self, pattern: Any, repl: Any, string: Any, count: int = 0, flags: int = 0) -> Any:
        if count == 0 and flags == 0 and type(pattern) is str and type(repl) is str and type(string) is str:
            return self._kept(pattern, repl, string)
        return re.sub(pattern, repl, string, count=count, flags=flags)


def patch_update_rewrites(patches: Patches) -> None:
    patches.replace(dynamodb_models, "re", KeptSubstitutions())
