/* Administration answers as JSON: the category tree, the settings audit trail. */
#include "repeatd/codec.h"

json_t *rd_categories_json(const rd_category *list, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        const rd_category *c = &list[i];
        json_array_append_new(a, json_pack("{s:s, s:s, s:o, s:b, s:b}", "code", c->code, "name",
                                           c->name, "parent",
                                           c->has_parent ? json_string(c->parent) : json_null(),
                                           "policy", c->policy, "leaf", c->leaf));
    }
    return a;
}

json_t *rd_settings_changes_json(const rd_settings_change *list, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++) {
        const rd_settings_change *c = &list[i];
        char at[RD_TIME_TEXT_MAX];
        rd_time_format_us(c->changed_at.us, c->changed_at.offset, at);
        json_array_append_new(a, json_pack("{s:s, s:O, s:O, s:s, s:s, s:i}", "key", c->key,
                                           "old_value", c->old_value ? c->old_value : json_null(),
                                           "new_value", c->new_value ? c->new_value : json_null(),
                                           "changed_by", c->changed_by, "changed_at", at,
                                           "definition_version", c->definition_version));
    }
    return a;
}
