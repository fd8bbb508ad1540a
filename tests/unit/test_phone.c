/* Phone normalisation and masking (DOMAIN.md "Same citizen"). */
#include "repeatd/phone.h"

#include "rd_test.h"

#include <check.h>
#include <errno.h>
#include <string.h>

static const struct norm_case {
    const char *in;
    int rc;
    const char *want; /* when rc == 0 */
} norm_cases[] = {
    {"13800138000", 0, "13800138000"},
    {"+86 138 0013 8000", 0, "13800138000"},
    {"+8613800138000", 0, "13800138000"},
    {"008613800138000", 0, "13800138000"},
    {"0086 138-0013-8000", 0, "13800138000"},
    {"8613800138000", 0, "13800138000"},
    {"(+86) 138.0013.8000", 0, "13800138000"}, /* "leading": before any digit */
    {"138 0013 8000", 0, "13800138000"},
    /* Landlines keep their area code. */
    {"020-12345678", 0, "02012345678"},
    {"(020) 1234 5678", 0, "02012345678"},
    {"0755-8888 6666", 0, "075588886666"},
    /* 86 is dropped only in front of an 11-digit number starting with 1. */
    {"8602012345678", 0, "8602012345678"},
    {"8623800138000", 0, "8623800138000"},
    {"861380013800", 0, "861380013800"},     /* 12 digits */
    {"86138001380001", 0, "86138001380001"}, /* 14 digits */
    {"0086020123456789", 0, "0086020123456789"},
    {"+1 415 555 0100", 0, "14155550100"},
    {"12345", 0, "12345"},
    {"12345678901234567890", 0, "12345678901234567890"},
    /* Refused. */
    {"1234", -EINVAL, NULL},
    {"123456789012345678901", -EINVAL, NULL},
    {"", -EINVAL, NULL},
    {"   ", -EINVAL, NULL},
    {"138001380OO", -EINVAL, NULL},
    {"call 13800138000", -EINVAL, NULL},
    {"138/0013/8000", -EINVAL, NULL},
    {"++8613800138000", -EINVAL, NULL},
    {"138+00138000", -EINVAL, NULL},
    {"13800138000+", -EINVAL, NULL},
    {"１３８００１３８０００", -EINVAL, NULL}, /* full-width digits */
};

START_TEST(test_normalise)
{
    const struct norm_case *c = &norm_cases[_i];
    char out[RD_PHONE_MAX];

    strcpy(out, "untouched");
    int rc = rd_phone_normalise(c->in, out);
    ck_assert_msg(rc == c->rc, "'%s': rc %d, expected %d", c->in, rc, c->rc);
    if (c->rc == 0)
        ck_assert_msg(strcmp(out, c->want) == 0, "'%s': got %s, expected %s", c->in, out, c->want);
}
END_TEST

START_TEST(test_normalise_null)
{
    char out[RD_PHONE_MAX];
    ck_assert_int_eq(rd_phone_normalise(NULL, out), -EINVAL);
    ck_assert_int_eq(rd_phone_normalise("13800138000", NULL), -EINVAL);
}
END_TEST

static const struct mask_case {
    const char *in, *want;
} mask_cases[] = {
    {"13800138000", "138****8000"},
    {"02012345678", "020****5678"},
    {"12345678", "123****5678"},
    {"12345678901234567890", "123****7890"},
    {"1234567", "*****67"},
    {"12345", "***45"},
    {"12", "12"},
    {"", ""},
};

START_TEST(test_mask)
{
    const struct mask_case *c = &mask_cases[_i];
    char out[RD_PHONE_MAX];

    rd_phone_mask(c->in, out);
    ck_assert_msg(strcmp(out, c->want) == 0, "'%s': got %s, expected %s", c->in, out, c->want);
}
END_TEST

START_TEST(test_mask_null)
{
    char out[RD_PHONE_MAX] = "x";
    rd_phone_mask(NULL, out);
    ck_assert_str_eq(out, "");
}
END_TEST

static Suite *phone_suite(void)
{
    Suite *s = suite_create("phone");
    TCase *tc = tcase_create("phone");

    tcase_add_loop_test(tc, test_normalise, 0, (int)(sizeof(norm_cases) / sizeof(norm_cases[0])));
    tcase_add_test(tc, test_normalise_null);
    tcase_add_loop_test(tc, test_mask, 0, (int)(sizeof(mask_cases) / sizeof(mask_cases[0])));
    tcase_add_test(tc, test_mask_null);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return rd_test_run(phone_suite(), true);
}
