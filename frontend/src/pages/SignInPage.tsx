// Sign in and register: one form each, with the API's reasons shown in the passenger's language.
import { useMutation } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTranslation } from "react-i18next";
import { Link, useNavigate, useSearchParams } from "react-router";

import { signedIn } from "../api/auth";
import { api, unwrap } from "../api/client";
import { ErrorBox } from "../components/ui";

function useNext() {
  const [params] = useSearchParams();
  const next = params.get("next") ?? "/search";
  return next.startsWith("/") && !next.startsWith("//") ? next : "/search";
}

function Field({ label, ...props }: { label: string } & React.InputHTMLAttributes<HTMLInputElement>) {
  return (
    <label className="block text-sm font-medium">
      {label}
      <input {...props} className="mt-1 w-full rounded border border-slate-400 px-3 py-2 font-normal" />
    </label>
  );
}

export function SignInPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const next = useNext();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const login = useMutation({
    mutationFn: async () => unwrap(await api.POST("/auth/login", { body: { email, password } })),
    onSuccess: (session) => {
      signedIn(session);
      void navigate(next);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    login.mutate();
  };
  return (
    <form onSubmit={submit} className="mx-auto max-w-md space-y-4 rounded-lg bg-white p-6 shadow" aria-labelledby="signin-title">
      <h1 id="signin-title" className="text-2xl font-bold">
        {t("auth.signIn")}
      </h1>
      <Field label={t("auth.email")} type="email" name="email" autoComplete="email" required value={email} onChange={(e) => setEmail(e.target.value)} />
      <Field
        label={t("auth.password")}
        type="password"
        name="password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      {login.isError && <ErrorBox error={login.error} />}
      <button type="submit" disabled={login.isPending} className="w-full rounded bg-brand px-4 py-2 font-semibold text-white">
        {t("auth.signIn")}
      </button>
      <p className="text-sm">
        {t("auth.noAccount")}{" "}
        <Link to={`/register?next=${encodeURIComponent(next)}`} className="text-brand underline">
          {t("auth.register")}
        </Link>
      </p>
    </form>
  );
}

export function RegisterPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const next = useNext();
  const [form, setForm] = useState({ name: "", email: "", password: "" });
  const register = useMutation({
    mutationFn: async () => unwrap(await api.POST("/auth/register", { body: form })),
    onSuccess: (session) => {
      signedIn(session);
      void navigate(next);
    },
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    register.mutate();
  };
  const set = (field: keyof typeof form) => (e: React.ChangeEvent<HTMLInputElement>) =>
    setForm((f) => ({ ...f, [field]: e.target.value }));
  return (
    <form onSubmit={submit} className="mx-auto max-w-md space-y-4 rounded-lg bg-white p-6 shadow" aria-labelledby="register-title">
      <h1 id="register-title" className="text-2xl font-bold">
        {t("auth.register")}
      </h1>
      <Field label={t("auth.name")} name="name" autoComplete="name" required value={form.name} onChange={set("name")} />
      <Field label={t("auth.email")} type="email" name="email" autoComplete="email" required value={form.email} onChange={set("email")} />
      <Field
        label={t("auth.password")}
        type="password"
        name="password"
        autoComplete="new-password"
        required
        minLength={10}
        value={form.password}
        onChange={set("password")}
        aria-describedby="password-rule"
      />
      <p id="password-rule" className="text-xs text-slate-700">
        {t("auth.passwordRule")}
      </p>
      {register.isError && <ErrorBox error={register.error} />}
      <button type="submit" disabled={register.isPending} className="w-full rounded bg-brand px-4 py-2 font-semibold text-white">
        {t("auth.register")}
      </button>
      <p className="text-sm">
        {t("auth.haveAccount")}{" "}
        <Link to={`/signin?next=${encodeURIComponent(next)}`} className="text-brand underline">
          {t("auth.signIn")}
        </Link>
      </p>
    </form>
  );
}
