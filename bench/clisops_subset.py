#!/usr/bin/env python3
"""clisops side of the rookery benchmark: one subset call, output paths on stdout.

    python clisops_subset.py FILE --area W,S,E,N --time A/B --output-dir DIR

Equivalent to
    clisops.ops.subset.subset(ds=FILE, area=(W,S,E,N), time="A/B",
                              output_dir=DIR, output_type="nc")
The timing taken by run.sh includes interpreter start-up and `import clisops`,
as a user running it from the command line would see.
"""

import argparse
import warnings


def main():
    p = argparse.ArgumentParser()
    p.add_argument("input")
    p.add_argument("--area", required=True, help="W,S,E,N")
    p.add_argument("--time", required=True, help="start/end")
    p.add_argument("--output-dir", required=True)
    a = p.parse_args()

    warnings.simplefilter("ignore")
    from clisops.ops.subset import subset

    area = tuple(float(x) for x in a.area.split(","))
    outs = subset(ds=a.input, area=area, time=a.time,
                  output_dir=a.output_dir, output_type="nc")
    for o in outs:
        print(o)


if __name__ == "__main__":
    main()
