/* Distances between ticket locations: haversine on a spherical Earth. */
#include "repeatd/decide.h"

#include <math.h>

#define EARTH_MEAN_RADIUS_M 6371008.8 /* IUGG mean radius; error < 0.5% at city scale */
#define DEG_TO_RAD          (3.14159265358979323846 / 180.0)

double rd_distance_m(double lat1, double lon1, double lat2, double lon2)
{
    double p1 = lat1 * DEG_TO_RAD, p2 = lat2 * DEG_TO_RAD;
    double dp = (lat2 - lat1) * DEG_TO_RAD, dl = (lon2 - lon1) * DEG_TO_RAD;
    double a = sin(dp / 2) * sin(dp / 2) + cos(p1) * cos(p2) * sin(dl / 2) * sin(dl / 2);

    /* Rounding can push a just past 1 for antipodal points; asin would return NaN. */
    if (a > 1.0)
        a = 1.0;
    return 2.0 * EARTH_MEAN_RADIUS_M * asin(sqrt(a));
}

/* "Farther apart than" the radius: exactly at the radius is still the same place. */
bool rd_different_place(double lat1, double lon1, double lat2, double lon2, int radius_m)
{
    return rd_distance_m(lat1, lon1, lat2, lon2) > (double)radius_m;
}
