;; The sparse first layer's two loops, in WebAssembly with 128-bit SIMD (four float32 lanes).
;; Compiled by scripts/build-kernels.mjs into src/kernels-wasm.ts; src/kernels.ts runs them.
;; All pointers are byte offsets into the memory it is given (shared: threads may read one
;; network's weights from the same memory); `hidden` must be a multiple of 4.
;; A batch of sparse rows is given as idx (i32 term ids), val (f32 weights) and off
;; (i32, n + 1 entries: row b holds entries off[b] .. off[b+1]).
(module
  (import "env" "memory" (memory 1 65536 shared))

  ;; out[b][h] = sum over k in row b of val[k] * emb[idx[k]][h]
  (func (export "bag") (param $emb i32) (param $hidden i32) (param $idx i32) (param $val i32) (param $off i32) (param $n i32) (param $out i32)
    (local $b i32) (local $k i32) (local $end i32) (local $row i32) (local $o i32) (local $h i32) (local $width i32) (local $v v128)
    (local.set $width (i32.shl (local.get $hidden) (i32.const 2)))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $o (i32.add (local.get $out) (i32.mul (local.get $b) (local.get $width))))
      (local.set $h (i32.const 0))
      (block $zero_done (loop $zero
        (br_if $zero_done (i32.ge_u (local.get $h) (local.get $width)))
        (v128.store (i32.add (local.get $o) (local.get $h)) (v128.const i32x4 0 0 0 0))
        (local.set $h (i32.add (local.get $h) (i32.const 16)))
        (br $zero)))
      (local.set $k (i32.load (i32.add (local.get $off) (i32.shl (local.get $b) (i32.const 2)))))
      (local.set $end (i32.load offset=4 (i32.add (local.get $off) (i32.shl (local.get $b) (i32.const 2)))))
      (block $terms_done (loop $terms
        (br_if $terms_done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $row (i32.add (local.get $emb) (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $k) (i32.const 2)))) (local.get $width))))
        (local.set $v (f32x4.splat (f32.load (i32.add (local.get $val) (i32.shl (local.get $k) (i32.const 2))))))
        (local.set $h (i32.const 0))
        (block $lanes_done (loop $lanes
          (br_if $lanes_done (i32.ge_u (local.get $h) (local.get $width)))
          (v128.store (i32.add (local.get $o) (local.get $h))
            (f32x4.add (v128.load (i32.add (local.get $o) (local.get $h)))
                       (f32x4.mul (local.get $v) (v128.load (i32.add (local.get $row) (local.get $h))))))
          (local.set $h (i32.add (local.get $h) (i32.const 16)))
          (br $lanes)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $terms)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $rows)))
  )

  ;; emb[idx[k]][h] -= rate * val[k] * grad[b][h] for every entry k of every row b
  (func (export "sgd") (param $emb i32) (param $hidden i32) (param $idx i32) (param $val i32) (param $off i32) (param $n i32) (param $grad i32) (param $rate f32)
    (local $b i32) (local $k i32) (local $end i32) (local $row i32) (local $g i32) (local $h i32) (local $width i32) (local $step v128)
    (local.set $width (i32.shl (local.get $hidden) (i32.const 2)))
    (block $rows_done (loop $rows
      (br_if $rows_done (i32.ge_u (local.get $b) (local.get $n)))
      (local.set $g (i32.add (local.get $grad) (i32.mul (local.get $b) (local.get $width))))
      (local.set $k (i32.load (i32.add (local.get $off) (i32.shl (local.get $b) (i32.const 2)))))
      (local.set $end (i32.load offset=4 (i32.add (local.get $off) (i32.shl (local.get $b) (i32.const 2)))))
      (block $terms_done (loop $terms
        (br_if $terms_done (i32.ge_u (local.get $k) (local.get $end)))
        (local.set $row (i32.add (local.get $emb) (i32.mul (i32.load (i32.add (local.get $idx) (i32.shl (local.get $k) (i32.const 2)))) (local.get $width))))
        (local.set $step (f32x4.splat (f32.mul (local.get $rate) (f32.load (i32.add (local.get $val) (i32.shl (local.get $k) (i32.const 2)))))))
        (local.set $h (i32.const 0))
        (block $lanes_done (loop $lanes
          (br_if $lanes_done (i32.ge_u (local.get $h) (local.get $width)))
          (v128.store (i32.add (local.get $row) (local.get $h))
            (f32x4.sub (v128.load (i32.add (local.get $row) (local.get $h)))
                       (f32x4.mul (local.get $step) (v128.load (i32.add (local.get $g) (local.get $h))))))
          (local.set $h (i32.add (local.get $h) (i32.const 16)))
          (br $lanes)))
        (local.set $k (i32.add (local.get $k) (i32.const 1)))
        (br $terms)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $rows)))
  )
)
