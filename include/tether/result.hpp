#pragma once
// A small value-or-error type: C++20 has no std::expected, and adapters must hand typed errors
// upward instead of throwing (iceoryx style). The names follow std::expected (C++23) so that the
// type can be swapped for it later: value(), error(), value_or, and_then, transform, transform_error.
#include <cstdio>
#include <cstdlib>
#include <type_traits>
#include <utility>
#include <variant>

namespace tether {

template <class E>
struct Failure {
  E error;
};

template <class E>
Failure<E> fail(E error) {
  return Failure<E>{std::move(error)};
}

namespace detail {
// Reading the side a Result does not hold is a programming error in every build type: a release
// build that read the wrong variant member would go on with garbage.
[[noreturn]] inline void result_misuse(const char* what) {
  std::fprintf(stderr, "tether: Result::%s called on the wrong side\n", what);
  std::abort();
}
}  // namespace detail

template <class T, class E>
class Result {
 public:
  using value_type = T;
  using error_type = E;

  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit by design
  Result(Failure<E> failure) : state_(std::in_place_index<1>, std::move(failure.error)) {}  // NOLINT

  [[nodiscard]] bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    if (!ok()) detail::result_misuse("value");
    return std::get<0>(state_);
  }
  const T& value() const& {
    if (!ok()) detail::result_misuse("value");
    return std::get<0>(state_);
  }
  T&& value() && {
    if (!ok()) detail::result_misuse("value");
    return std::get<0>(std::move(state_));
  }
  const E& error() const& {
    if (ok()) detail::result_misuse("error");
    return std::get<1>(state_);
  }
  E&& error() && {
    if (ok()) detail::result_misuse("error");
    return std::get<1>(std::move(state_));
  }

  template <class U>
  [[nodiscard]] T value_or(U&& fallback) const& {
    return ok() ? std::get<0>(state_) : static_cast<T>(std::forward<U>(fallback));
  }

  // f(T) -> Result<U, E>: the next step, run only when this one succeeded.
  template <class F>
  auto and_then(F&& f) const& -> std::invoke_result_t<F, const T&> {
    if (ok()) return std::forward<F>(f)(std::get<0>(state_));
    return Failure<E>{std::get<1>(state_)};
  }
  template <class F>
  auto and_then(F&& f) && -> std::invoke_result_t<F, T&&> {
    if (ok()) return std::forward<F>(f)(std::get<0>(std::move(state_)));
    return Failure<E>{std::get<1>(std::move(state_))};
  }

  // f(T) -> U: the value mapped, the error passed through.
  template <class F>
  auto transform(F&& f) const& -> Result<std::invoke_result_t<F, const T&>, E> {
    if (ok()) return std::forward<F>(f)(std::get<0>(state_));
    return Failure<E>{std::get<1>(state_)};
  }
  template <class F>
  auto transform(F&& f) && -> Result<std::invoke_result_t<F, T&&>, E> {
    if (ok()) return std::forward<F>(f)(std::get<0>(std::move(state_)));
    return Failure<E>{std::get<1>(std::move(state_))};
  }

  // f(E) -> G: the error mapped (for example into a caller's own error shape), the value kept.
  template <class F>
  auto transform_error(F&& f) const& -> Result<T, std::invoke_result_t<F, const E&>> {
    if (ok()) return std::get<0>(state_);
    return Failure<std::invoke_result_t<F, const E&>>{std::forward<F>(f)(std::get<1>(state_))};
  }

 private:
  std::variant<T, E> state_;
};

// For operations that succeed with no value.
struct Unit {};

}  // namespace tether
