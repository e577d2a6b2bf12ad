// TEL programs the collector tests share (gc.test.ts, gc-minor.test.ts).

/** Every element of a 6000-element list of pairs stays live: more than the heap. */
export const TOO_BIG = `
pairs :: Int -> [(Int, Int)]
pairs n = map (\\x -> (x, x * x)) (range 1 n)

main :: Int
main = let ps = pairs 6000 in length ps + length (map fst ps)
`;
