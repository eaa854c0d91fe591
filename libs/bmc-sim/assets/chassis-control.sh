#!/bin/sh
# chassis-control.sh: the "hardware" behind one simulated BMC (ipmi_sim chassis_control).
#
# ipmi_sim runs it through popen() (so through /bin/sh) as
#   /bin/sh "$SWITCHBOARD_BMC_SIM_SCRIPT" "$SWITCHBOARD_BMC_SIM_STATE" get power
#   /bin/sh "$SWITCHBOARD_BMC_SIM_SCRIPT" "$SWITCHBOARD_BMC_SIM_STATE" set power "1"
# The paths reach the shell only as expanded, double-quoted variables, never spliced
# into the command text. The harness itself calls it (without a shell) as
#   chassis-control.sh STATE_DIR force power 0|1
# to change the power state like a hand on the power button (no event, no counter).
#
# Files in STATE_DIR (one value per line, replaced atomically):
#   power            1|0, the power state visible now
#   power.pending    "VALUE DUE_MS": a power change a slow BMC makes visible at DUE_MS
#   boot             boot device: none|pxe|default|cdrom|bios (names ipmi_sim uses)
#   behaviour        normal|stuck|slow
#   power_delay_ms   delay of a slow BMC
#   events.log       one "EPOCH_MS KEY VALUE" line per `set` received, in order
#   count.power_on   off->on transitions      count.power_off  on->off transitions
#   count.reset      resets done while on     count.soft_off   soft-offs accepted while on
set -u

dir=${1:?usage: chassis-control.sh STATE_DIR get|set|force ...}
shift
op=${1:-}
[ $# -gt 0 ] && shift
cd "$dir" || exit 2

# One caller at a time per BMC (ipmi_sim and the harness may overlap).
exec 9>>.lock
if command -v flock >/dev/null 2>&1; then flock 9; fi

now_ms() { date +%s%3N; }

read_value() { # FILE DEFAULT
  if [ -s "$1" ]; then
    v=''
    IFS= read -r v <"$1" || true
    printf '%s' "$v"
  else
    printf '%s' "$2"
  fi
}

write_value() { # FILE VALUE
  printf '%s\n' "$2" >"$1.tmp" && mv -f "$1.tmp" "$1"
}

bump() { # COUNTER
  n=$(read_value "count.$1" 0)
  write_value "count.$1" $((n + 1))
}

apply_power() { # 0|1: make it visible now, counting a real transition
  cur=$(read_value power 0)
  if [ "$1" != "$cur" ]; then
    write_value power "$1"
    if [ "$1" = 1 ]; then bump power_on; else bump power_off; fi
  fi
}

settle() { # make a due pending change of a slow BMC visible
  if [ -s power.pending ]; then
    pv=''
    due=''
    read -r pv due <power.pending || true
    if [ "$(now_ms)" -ge "${due:-0}" ]; then
      rm -f power.pending
      apply_power "$pv"
    fi
  fi
}

request_power() { # 0|1 as asked by the BMC, honouring the behaviour
  case $behaviour in
    slow)
      delay=$(read_value power_delay_ms 0)
      write_value power.pending "$1 $(($(now_ms) + delay))"
      ;;
    *)
      rm -f power.pending
      apply_power "$1"
      ;;
  esac
}

case $op in
  get)
    settle
    for key in "$@"; do
      case $key in
        power) printf 'power:%s\n' "$(read_value power 0)" ;;
        boot) printf 'boot:%s\n' "$(read_value boot none)" ;;
        *) ;;
      esac
    done
    ;;

  set)
    settle
    behaviour=$(read_value behaviour normal)
    while [ $# -ge 2 ]; do
      key=$1
      val=$2
      shift 2
      printf '%s %s %s\n' "$(now_ms)" "$key" "$val" >>events.log
      # A stuck BMC acknowledges everything and does nothing.
      [ "$behaviour" = stuck ] && continue
      case $key in
        power)
          case $val in
            0 | 1) request_power "$val" ;;
            *) exit 1 ;;
          esac
          ;;
        reset)
          # A reset of a machine that is off does nothing.
          if [ "$(read_value power 0)" = 1 ]; then bump reset; fi
          ;;
        shutdown)
          if [ "$(read_value power 0)" = 1 ]; then
            bump soft_off
            request_power 0
          fi
          ;;
        boot) write_value boot "$val" ;;
        *) ;; # identify and anything newer: acknowledged, no state
      esac
    done
    ;;

  force)
    if [ "${1:-}" = power ]; then
      case ${2:-} in
        0 | 1)
          rm -f power.pending
          write_value power "$2"
          ;;
        *) exit 1 ;;
      esac
    else
      exit 1
    fi
    ;;

  *)
    echo "chassis-control.sh: unknown operation '$op'" >&2
    exit 1
    ;;
esac
exit 0
