"""Celery wrappers for the catalog: load by id, call the service."""

from celery import shared_task

from . import services


@shared_task(name="catalog.build_product_images", ignore_result=True)
def build_product_images(product_id: int) -> str:
    return services.product_images_build(product_id)
