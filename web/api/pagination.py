from rest_framework.pagination import LimitOffsetPagination


class Pagination(LimitOffsetPagination):
    """`?limit=` (default 100, at most 1,000) and `?offset=`; responses carry
    count/next/previous."""

    default_limit = 100
    max_limit = 1000
