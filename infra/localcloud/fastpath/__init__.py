"""Speed-ups of the engine's hot paths that give moto's answers unchanged (each proven by a test)."""

from __future__ import annotations

from localcloud.fastpath.conditions import patch_condition_lexing, patch_condition_parses
from localcloud.fastpath.dynamo_types import patch_dynamo_types, patch_result_conversion
from localcloud.fastpath.handler_methods import patch_handler_method_names
from localcloud.fastpath.item_answers import patch_item_answers
from localcloud.fastpath.item_sizes import patch_item_sizes
from localcloud.fastpath.json_copies import patch_interpreter_copies
from localcloud.fastpath.json_parser import patch_json_parser
from localcloud.fastpath.json_paths import patch_json_paths
from localcloud.fastpath.json_serializer import patch_json_serializer
from localcloud.fastpath.plain_updates import patch_plain_updates
from localcloud.fastpath.query_results import patch_query_results
from localcloud.fastpath.request_setup import (
    patch_access_keys,
    patch_authorization_check,
    patch_backend_lookups,
    patch_random_strings,
    patch_response_enrichment,
    patch_url_parsing,
)
from localcloud.fastpath.sfn_programs import patch_shared_programs
from localcloud.fastpath.update_expressions import (
    patch_clause_search,
    patch_kept_update_checks,
    patch_update_expression_parses,
    patch_update_rewrites,
    patch_walker_node_kinds,
    patch_walker_traversal,
)
from localcloud.layer.patching import Patches


def install(patches: Patches) -> None:
    """Apply every speed-up; `patches.undo()` takes them back with the layer's fixes.

    Install after the runtime's Step Functions patches: the shared programs replace its per-execution
    build of the evaluation program. Install after the layer too: plain updates leave every other update
    to the layer's `update_item`."""
    patch_json_serializer(patches)
    patch_json_parser(patches)
    patch_json_paths(patches)
    patch_handler_method_names(patches)
    patch_shared_programs(patches)
    patch_interpreter_copies(patches)
    patch_condition_parses(patches)
    patch_condition_lexing(patches)
    patch_update_expression_parses(patches)
    patch_walker_node_kinds(patches)
    patch_walker_traversal(patches)
    patch_clause_search(patches)
    patch_kept_update_checks(patches)
    patch_update_rewrites(patches)
    patch_plain_updates(patches)
    patch_item_sizes(patches)
    patch_item_answers(patches)
    patch_query_results(patches)
    patch_access_keys(patches)
    patch_url_parsing(patches)
    patch_authorization_check(patches)
    patch_random_strings(patches)
    patch_response_enrichment(patches)
    patch_backend_lookups(patches)
    patch_dynamo_types(patches)
    patch_result_conversion(patches)
