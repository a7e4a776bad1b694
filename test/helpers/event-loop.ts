/**
 * Turns of the event loop, counted by a setImmediate chain: a test reads `turns` at points of interest
 * to show that work in between let the loop turn (without timing anything). `stop` ends the chain.
 */
export function countTurns(): { readonly turns: number; stop(): void } {
  let turns = 0;
  let spinning = true;
  const spin = (): void => {
    if (!spinning) return;
    turns++;
    setImmediate(spin);
  };
  setImmediate(spin);
  return {
    get turns() {
      return turns;
    },
    stop() {
      spinning = false;
    },
  };
}
