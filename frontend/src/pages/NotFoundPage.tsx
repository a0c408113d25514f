import { useTranslation } from "react-i18next";
import { Link } from "react-router";

export function NotFoundPage() {
  const { t } = useTranslation();
  return (
    <div className="space-y-2">
      <h1 className="text-2xl font-bold">{t("notFound.title")}</h1>
      <Link to="/search" className="text-brand underline">
        {t("nav.search")}
      </Link>
    </div>
  );
}
